"""Reporting incidents: the register year, its container audit, numbering, measures as
findings, and the rules every writer passes."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from findings.models import Finding
from incidents.models import AUDIT_KIND_NAME, MEASURE_KIND_NAME, Incident, RegisterYear
from incidents.services import add_measure, report_incident, update_incident
from tests.incidents.conftest import incident_fields

pytestmark = pytest.mark.django_db


def test_first_incident_of_a_year_makes_its_register_audit(make_incident, ict, jinji):
    incident = make_incident()

    year = RegisterYear.objects.get(fiscal_year=2014)
    audit = year.audit
    assert incident.fiscal_year == 2014 and incident.number == 1
    assert audit.kinds_label == AUDIT_KIND_NAME
    # The whole authority (every 部局), never a list of who had incidents.
    assert {d.name for d in audit.audited_departments.all()} == {"総務部", "監査課"}
    assert [k.name for k in audit.finding_kinds.all()] == [MEASURE_KIND_NAME]
    assert incident.section.audit_id == audit.pk


def test_each_measure_is_a_finding_addressed_to_the_department(make_incident, ict):
    incident = make_incident(measures=("仕様を見直す。", "", "  テストを徹底する。  "))

    measures = list(Finding.objects.filter(section=incident.section).order_by("sort_order"))
    assert [m.body for m in measures] == ["仕様を見直す。", "テストを徹底する。"]
    assert [m.label for m in measures] == ["①", "②"]
    assert all(list(m.departments.all()) == [ict] for m in measures)
    assert all(m.kind.name == MEASURE_KIND_NAME and m.title == incident.title for m in measures)


def test_incidents_are_numbered_per_fiscal_year(make_incident):
    first = make_incident()
    second = make_incident(reported_on=datetime.date(2015, 3, 31))
    next_year = make_incident(reported_on=datetime.date(2015, 4, 1))

    assert (first.fiscal_year, first.number) == (2014, 1)
    assert (second.fiscal_year, second.number) == (2014, 2)
    assert (next_year.fiscal_year, next_year.number) == (2015, 1)
    assert RegisterYear.objects.count() == 2


def test_a_range_of_months_is_stored_as_first_days_and_printed_in_wareki(make_incident):
    incident = make_incident(
        occurred_from=datetime.date(2014, 12, 15),
        occurred_to=datetime.date(2015, 5, 20),
        reported_on=datetime.date(2015, 7, 7),
        press_release_on=datetime.date(2015, 7, 7),
        record_count=251,
        record_unit="件(枚)",
    )

    assert incident.occurred_from == datetime.date(2014, 12, 1)
    assert incident.occurred_to == datetime.date(2015, 5, 1)
    assert incident.occurred_text == "平成26年12月～平成27年5月"
    assert incident.record_count_text == "251件(枚)"


def test_a_range_within_one_month_is_one_month(make_incident):
    incident = make_incident(occurred_to=datetime.date(2014, 8, 20))

    assert incident.occurred_to is None
    assert incident.occurred_text == "平成26年8月"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_from": datetime.date(2014, 9, 1)}, "occurred_from"),
        ({"occurred_to": datetime.date(2014, 7, 1)}, "occurred_to"),
        ({"press_release_on": datetime.date(2014, 7, 31)}, "press_release_on"),
        ({"integrity": False}, "classifications"),
        ({"reported_on": datetime.date(2999, 1, 1)}, "reported_on"),
        (
            {
                "reported_on": datetime.date(1988, 5, 1),
                "occurred_from": datetime.date(1988, 5, 1),
                "press_release_on": None,
            },
            "reported_on",
        ),  # fmt: skip
    ],
)
def test_bad_incidents_are_refused_with_a_message_per_field(make_incident, overrides, field):
    with pytest.raises(ValidationError) as caught:
        make_incident(**overrides)

    assert field in caught.value.message_dict
    assert Incident.objects.count() == 0
    assert RegisterYear.objects.count() == 0


def test_staff_may_report_only_for_their_own_department(ict_staff, jinji, incident_types):
    with pytest.raises(ValidationError) as caught:
        report_incident(
            user=ict_staff, measures=[], **incident_fields(jinji, incident_types["誤送付"])
        )

    assert caught.value.message_dict["department"] == ["自課以外の所管課は選べません。"]


def test_staff_report_their_own_department_incident(ict_staff, ict, incident_types):
    incident = report_incident(
        user=ict_staff,
        measures=["送付前に複数人で確認する。"],
        **incident_fields(ict, incident_types["誤送付"]),
    )

    assert incident.created_by == ict_staff
    assert incident.section.findings.get().created_by == ict_staff


def test_editing_keeps_the_fiscal_year(make_incident, auditor, ict, incident_types):
    incident = make_incident()

    with pytest.raises(ValidationError) as caught:
        update_incident(
            incident,
            user=auditor,
            **incident_fields(ict, incident_types["誤送付"], reported_on=datetime.date(2015, 4, 2)),
        )

    assert "reported_on" in caught.value.message_dict


def test_a_new_department_takes_over_the_measures(make_incident, auditor, jinji, incident_types):
    incident = make_incident()

    update_incident(incident, user=auditor, **incident_fields(jinji, incident_types["誤送付"]))

    incident.refresh_from_db()
    assert incident.department == jinji
    assert incident.incident_type.name == "誤送付"
    measure = incident.section.findings.get()
    assert list(measure.departments.all()) == [jinji]


def test_an_empty_measure_is_refused(make_incident, auditor):
    incident = make_incident(measures=())

    with pytest.raises(ValidationError) as caught:
        add_measure(incident, text="   ", user=auditor)

    assert caught.value.message_dict["text"] == ["再発防止策を入力してください。"]


def test_measures_take_remediation_entries_like_any_finding(make_incident, make_entry):
    incident = make_incident()
    measure = incident.section.findings.get()

    make_entry(measure, status="sochizumi", day=datetime.date(2015, 7, 29))

    status = Finding.objects.with_status().get(pk=measure.pk).current_status
    assert (status.name, status.is_closed) == ("措置済", True)


def test_the_register_section_of_an_incident_cannot_be_deleted(make_incident, auditor):
    from audits.services import StructureInUse, delete_section

    incident = make_incident(measures=())

    with pytest.raises(
        StructureInUse, match="セキュリティ障害から参照されているため削除できません"
    ):
        delete_section(incident.section, user=auditor)

    assert Incident.objects.filter(pk=incident.pk, section=incident.section).exists()
