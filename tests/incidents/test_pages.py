"""The register's pages: what each role sees and may do, bad input answered in Japanese
next to the field with nothing typed lost, and query counts that do not grow with rows."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from findings.models import Finding
from incidents.models import Incident, IncidentType
from tests.html_checks import body_of

pytestmark = pytest.mark.django_db


def _form(department_id: int, type_id: int, **overrides: str) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "住民票の写しの誤送付",
        "incident_type": str(type_id),
        "department": str(department_id),
        "reported_on": "2024-06-10",
        "occurred_from": "2024-06",
        "occurred_to": "",
        "record_count": "3",
        "record_unit": "人分",
        "classifications": ["confidentiality"],
        "summary": "別の世帯に住民票の写しを送付した。",
        "note": "",
        "cause": "封入時の確認漏れ。",
        "press_release_on": "",
        "citizen_response": "お詫びに伺い回収した。",
        "measures": "封入時に二人で確認する。\n宛名と内容の照合表を使う。",
    }
    data.update(overrides)
    return data


def test_auditor_registers_an_incident_with_measures(client, auditor, ict, incident_types):
    client.force_login(auditor)
    kind = incident_types["誤送付"]

    response = client.post(reverse("incident_create"), _form(ict.pk, kind.pk))

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incident_detail", args=[incident.pk])
    assert incident.record_count_text == "3人分"
    assert incident.classification_text == "機密性"
    measures = Finding.objects.filter(section=incident.section).order_by("sort_order")
    assert [m.body for m in measures] == ["封入時に二人で確認する。", "宛名と内容の照合表を使う。"]
    page = client.get(response["Location"]).content.decode()
    assert "封入時に二人で確認する。" in page and "未報告" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "件名を入力してください。"),
        (
            {"occurred_from": "2024-13"},
            "発生年月は「2014-08」または「平成26年8月」の形で入力してください。",
        ),
        ({"record_count": "たくさん"}, "データ件数は数字で入力してください（例: 2352）。"),
        ({"classifications": []}, "分類（機密性・完全性・可用性）を1つ以上選んでください。"),
        (
            {"reported_on": "2024-02-30"},
            "報告日は 令和3年9月30日、R3.9.30、2021-09-30（YYYY-MM-DD）のような形の、実在する日付で入力してください。",
        ),
        ({"occurred_to": "2024-05"}, "発生年月（終わり）は発生年月より後の月にしてください。"),
        ({"incident_type": "999999"}, "選択肢にない種別です。一覧から選んでください。"),
        ({"summary": ""}, "概要を入力してください。"),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_nothing_is_lost(
    client, auditor, ict, incident_types, overrides, message
):
    client.force_login(auditor)

    response = client.post(
        reverse("incident_create"), _form(ict.pk, incident_types["誤送付"].pk, **overrides)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "封入時に二人で確認する。" in page  # what was typed is still there
    assert Incident.objects.count() == 0


def test_a_wareki_month_is_accepted(client, auditor, ict, incident_types):
    client.force_login(auditor)

    client.post(
        reverse("incident_create"),
        _form(ict.pk, incident_types["誤送付"].pk, occurred_from="令和6年6月"),
    )

    assert Incident.objects.get().occurred_from == datetime.date(2024, 6, 1)


def test_staff_report_for_their_own_department_only(client, ict_staff, ict, jinji, incident_types):
    client.force_login(ict_staff)
    kind = incident_types["誤送付"]

    refused = client.post(reverse("incident_create"), _form(jinji.pk, kind.pk))
    accepted = client.post(reverse("incident_create"), _form(ict.pk, kind.pk))

    assert "選択肢にない所管課です。一覧から選んでください。" in refused.content.decode()
    assert accepted.status_code == 302
    assert Incident.objects.get().department == ict


def test_staff_see_only_their_departments_incidents(client, make_incident, ict_staff, jinji):
    make_incident(title="ICTの障害")
    other = make_incident(title="人事課の障害", department=jinji)
    client.force_login(ict_staff)

    listing = client.get(reverse("incident_list")).content.decode()

    assert "ICTの障害" in listing and "人事課の障害" not in listing
    for name in ("incident_detail", "incident_edit"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    post = client.post(reverse("measure_add", args=[other.pk]), {"text": "横から追加"})
    assert post.status_code == 404
    assert Finding.objects.filter(section=other.section).count() == 1


def test_a_manager_reads_but_does_not_report(client, make_incident, manager):
    incident = make_incident()
    client.force_login(manager)

    assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 200
    assert client.get(reverse("incident_create")).status_code == 404
    assert client.get(reverse("incident_edit", args=[incident.pk])).status_code == 404


def test_an_empty_measure_is_answered_on_the_incident_page(client, make_incident, ict_staff):
    incident = make_incident()
    client.force_login(ict_staff)

    response = client.post(reverse("measure_add", args=[incident.pk]), {"text": ""})

    assert response.status_code == 200
    assert "再発防止策を入力してください。" in response.content.decode()


def test_staff_add_a_measure_to_their_incident(client, make_incident, ict_staff, ict):
    incident = make_incident()
    client.force_login(ict_staff)

    client.post(reverse("measure_add", args=[incident.pk]), {"text": "職員研修を行う。"})

    added = Finding.objects.filter(section=incident.section).order_by("-id").first()
    assert added is not None and added.body == "職員研修を行う。"
    assert list(added.departments.all()) == [ict]


def test_editing_changes_the_incident(client, make_incident, auditor, ict, incident_types):
    incident = make_incident()
    client.force_login(auditor)
    data = _form(
        ict.pk, incident_types["機器の障害"].pk, reported_on="2014-08-20", occurred_from="2014-08"
    )
    data.pop("measures")

    response = client.post(reverse("incident_edit", args=[incident.pk]), data)

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.incident_type.name == "機器の障害"
    assert incident.title == "住民票の写しの誤送付"


def test_a_bad_year_refuses_the_download_with_a_japanese_page(client, auditor):
    client.force_login(auditor)

    response = client.get(reverse("incident_export", args=["csv"]), {"fiscal_year": "abc"})

    assert response.status_code == 400
    assert "選択肢にない年度です" in response.content.decode()


def test_an_end_year_before_the_start_is_refused(client, make_incident, auditor):
    make_incident()
    make_incident(reported_on=datetime.date(2015, 6, 1))
    client.force_login(auditor)

    response = client.get(reverse("incident_list"), {"fiscal_year": "2015", "to": "2014"})

    assert "終わりの年度は始めの年度以降にしてください。" in response.content.decode()


def test_types_are_edited_by_the_audit_office(client, auditor, ict_staff):
    client.force_login(auditor)
    client.post(reverse("incident_type_add"), {"name": "FAX誤送信"})
    assert IncidentType.objects.filter(name="FAX誤送信").exists()
    duplicate = client.post(reverse("incident_type_add"), {"name": "FAX誤送信"})
    assert "種別「FAX誤送信」は既にあります。" in duplicate.content.decode()

    client.force_login(ict_staff)
    assert client.get(reverse("incident_types")).status_code == 404


def test_a_used_type_cannot_be_deleted(client, make_incident, auditor, incident_types):
    make_incident()
    client.force_login(auditor)
    used = incident_types["プログラムミス"]

    response = client.post(reverse("incident_type_delete", args=[used.pk]))

    assert response.status_code == 409
    assert IncidentType.objects.filter(pk=used.pk).exists()


# --- query counts ------------------------------------------------------------------------


def _make_many(make_incident, count: int) -> list[Incident]:
    return [make_incident(title=f"障害{n}", measures=("対策A。", "対策B。")) for n in range(count)]


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_page_costs_the_same_queries_for_1_and_12_incidents(
    client, make_incident, auditor, django_assert_num_queries, count
):
    _make_many(make_incident, count)
    client.force_login(auditor)
    url = reverse("incident_list") + "?fiscal_year=2014"

    # session, user, the user's groups (role), the years with incidents, the incidents
    # with their type, 所管課 and section, their measures with the current status.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("status-badge--unreported") == 2 * count


@pytest.mark.parametrize("count", [1, 12])
def test_staff_list_costs_the_same_queries(
    client, make_incident, ict_staff, django_assert_num_queries, count
):
    _make_many(make_incident, count)
    client.force_login(ict_staff)

    # as above, plus the department scope (departments with a successor)
    with django_assert_num_queries(7):
        client.get(reverse("incident_list") + "?fiscal_year=2014")


@pytest.mark.parametrize("count", [1, 10])
def test_the_detail_page_costs_the_same_queries_for_1_and_10_measures(
    client, make_incident, auditor, django_assert_num_queries, count
):
    incident = make_incident(measures=tuple(f"対策{n}。" for n in range(count)))
    client.force_login(auditor)

    # session, user, groups, the incident with type, 所管課 and section, its measures
    with django_assert_num_queries(5):
        response = client.get(reverse("incident_detail", args=[incident.pk]))

    assert response.content.decode().count("措置状況を見る・報告する") == count


def test_measures_appear_in_the_sochi_report_and_the_departments_own_list(
    client, make_incident, make_entry, ict_staff
):
    incident = make_incident(measures=("仕様確定作業を見直す。", "テスト結果を二人で確認する。"))
    first = incident.section.findings.order_by("sort_order").first()
    assert first is not None
    make_entry(first, status="sochizumi", content="仕様確定の手順書を改訂した。")
    client.force_login(ict_staff)

    mine = client.get(reverse("my_findings")).content.decode()
    report = body_of(
        client.get(reverse("report_export", args=["csv"]), {"audit": incident.section.audit_id})
    ).decode("utf-8-sig")

    assert mine.count(incident.title) >= 2 and "①" in mine and "②" in mine
    rows = list(csv.DictReader(io.StringIO(report)))
    assert [(r["区分"], r["本文"], r["状況"]) for r in rows] == [
        ("再発防止策", "仕様確定作業を見直す。", "措置済"),
        ("再発防止策", "テスト結果を二人で確認する。", "未報告"),
    ]
    assert {r["監査の種類"] for r in rows} == {"セキュリティ障害"}


def test_the_register_audit_tells_staff_nothing_of_other_departments(
    client, make_incident, ict_staff, jinji
):
    own = make_incident(title="ICTの障害")
    make_incident(title="人事課の障害SECRET", department=jinji, measures=("人事の対策SECRET。",))
    audit_id = own.section.audit_id
    client.force_login(ict_staff)

    pages = [
        client.get(reverse("audit_detail", args=[audit_id])),
        client.get(reverse("report_export", args=["csv"]), {"audit": audit_id}),
        client.get(reverse("report_preview"), {"audit": audit_id}),
        client.get(reverse("finding_list")),
    ]

    texts = [body_of(response).decode("utf-8-sig") for response in pages]  # read once
    for response, text in zip(pages, texts, strict=True):
        assert response.status_code == 200
        assert "SECRET" not in text and "人事課" not in text
    assert "ICTの障害" in texts[1]


def test_staff_find_their_department_and_today_filled_in(client, ict_staff, ict):
    client.force_login(ict_staff)

    form = client.get(reverse("incident_create")).context["form"]

    assert form.initial["department"] == ict.pk
    assert form["department"].field.queryset.count() == 1
    assert form.initial["reported_on"] is not None
