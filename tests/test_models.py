"""Database constraints, append-only entries, and how the current status is derived."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audits.models import Audit, Department, Section
from findings.models import UNREPORTED_LABEL, Finding
from remediation.models import AppendOnlyError, RemediationEntry

D = datetime.date


def _integrity(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_database_refuses_audit_period_ending_before_it_starts(audit):
    _integrity(lambda: Audit.objects.filter(pk=audit.pk).update(period_end=D(2021, 1, 1)))


def test_database_refuses_fiscal_year_out_of_range(audit):
    _integrity(lambda: Audit.objects.filter(pk=audit.pk).update(fiscal_year=1900))


def test_database_refuses_duplicate_section_numbers(audit, section):
    _integrity(lambda: Section.objects.create(audit=audit, number="1", title="別の節"))


def test_database_refuses_department_as_its_own_parent(ict):
    _integrity(lambda: Department.objects.filter(pk=ict.pk).update(parent=ict))


def test_database_refuses_finding_with_empty_body(finding):
    _integrity(lambda: Finding.objects.filter(pk=finding.pk).update(body=""))


def test_database_refuses_viewpoint_number_twice_under_one_key_risk(audit):
    risk = audit.key_risks.create(number="(1)", title="重要リスク")
    audit.viewpoints.create(number="ア", text="一つ目", key_risk=risk)
    _integrity(lambda: audit.viewpoints.create(number="ア", text="二つ目", key_risk=risk))


def test_database_refuses_empty_entry_content(finding, make_entry):
    entry = make_entry(finding)
    _integrity(
        lambda: RemediationEntry.objects.create(
            finding=finding, status=entry.status, entry_date=D(2021, 9, 30), content=""
        )
    )


def test_entry_cannot_be_changed_or_deleted_through_the_model(finding, make_entry):
    entry = make_entry(finding)
    entry.content = "書き換え"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        RemediationEntry.objects.filter(pk=entry.pk).update(content="書き換え")
    with pytest.raises(AppendOnlyError):
        RemediationEntry.objects.filter(pk=entry.pk).delete()


def test_database_trigger_refuses_update_of_entry(finding, make_entry):
    entry = make_entry(finding)
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(
            "UPDATE remediation_remediationentry SET content = %s WHERE id = %s",
            ["書き換え", entry.pk],
        )
    entry.refresh_from_db()
    assert entry.content == "整理整頓を行った。"


def test_finding_with_entries_cannot_be_deleted_by_the_database(finding, make_entry):
    make_entry(finding)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).delete()


def test_finding_without_entries_is_unreported(finding):
    assert finding.current_status.name == UNREPORTED_LABEL
    assert finding.is_open
    annotated = Finding.objects.with_status().get(pk=finding.pk)
    assert annotated.current_status.name == UNREPORTED_LABEL
    assert annotated.current_status.date is None


def test_current_status_is_that_of_the_latest_entry(finding, make_entry):
    make_entry(finding, "kentou", D(2021, 3, 1))
    make_entry(finding, "sochizumi", D(2022, 3, 31))
    make_entry(finding, "keizoku", D(2021, 9, 30))  # recorded last, but speaks for an earlier day
    annotated = Finding.objects.with_status().get(pk=finding.pk)
    assert (annotated.current_status.name, annotated.current_status.date) == (
        "措置済",
        D(2022, 3, 31),
    )
    assert not annotated.is_open
    fresh = Finding.objects.prefetch_related("entries__status").get(pk=finding.pk)
    assert fresh.current_status == annotated.current_status


def test_same_day_entries_order_by_recording_time(finding, make_entry):
    make_entry(finding, "keizoku", D(2021, 9, 30))
    make_entry(finding, "sochizumi", D(2021, 9, 30))
    assert Finding.objects.with_status().get(pk=finding.pk).current_status.name == "措置済"


def test_status_as_of_a_date_ignores_later_entries(finding, make_entry):
    make_entry(finding, "keizoku", D(2021, 9, 30))
    make_entry(finding, "sochizumi", D(2022, 3, 31))
    then = Finding.objects.with_status(as_of=D(2021, 9, 30)).get(pk=finding.pk)
    assert then.current_status.name == "継続努力"
    before = Finding.objects.with_status(as_of=D(2021, 9, 29)).get(pk=finding.pk)
    assert before.current_status.name == UNREPORTED_LABEL


def test_open_and_closed_filters(make_finding, make_entry):
    done, ongoing, silent = (
        make_finding(label="①"),
        make_finding(label="②"),
        make_finding(label="③"),
    )
    make_entry(done, "sochizumi")
    make_entry(ongoing, "keizoku")
    qs = Finding.objects.with_status()
    assert set(qs.open()) == {ongoing, silent}
    assert set(qs.closed()) == {done}


@pytest.mark.parametrize("rows", [1, 50])
def test_status_for_a_page_of_findings_costs_one_query(
    rows, make_finding, make_entry, django_assert_num_queries
):
    for i in range(rows):
        make_entry(make_finding(label=str(i)), "keizoku")
    # 1: findings with their status annotations (subqueries inside the same SELECT)
    with django_assert_num_queries(1):
        statuses = [f.current_status.name for f in Finding.objects.with_status()]
    assert statuses == ["継続努力"] * rows


def test_label_path_joins_viewpoint_parent_and_label(make_finding):
    parent = make_finding(label="③", title="情報システムの適正な稼働の確保について")
    child = make_finding(label="ア", title="", parent=parent)
    assert parent.label_path == "(3)③"
    assert child.label_path == "(3)③ア"
    assert make_finding(label="(1)", viewpoint=None).label_path == "(1)"


def test_entry_model_validation_rejects_missing_content(finding, statuses):
    with pytest.raises(ValidationError):
        RemediationEntry(
            finding=finding, status=statuses["keizoku"], entry_date=D(2021, 9, 30), content=""
        ).full_clean()
