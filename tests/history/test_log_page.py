"""The log page (/log/): auditors and administrators only, filtered by who, what and
when, paginated, with a fixed number of queries; malformed filters are Japanese form
errors and an empty list, never a 500 or an unfiltered log."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from findings.services import update_finding

pytestmark = pytest.mark.django_db

URL = "/log/"


def test_the_url_is_named_log_list():
    assert reverse("log_list") == URL


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


def test_auditors_see_the_log_with_before_and_after(auditor_client, finding, auditor):
    update_finding(finding, departments=list(finding.departments.all()), user=auditor, title="新")
    response = auditor_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "操作記録" in html
    assert "サーバ室内の整理整頓について</span> → <span" in html


@pytest.mark.parametrize("persona", ["ict_staff", "manager"])
def test_staff_and_managers_get_no_log_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL).status_code == 404


def test_filter_by_who(auditor_client, finding, auditor, manager, make_entry, ict_staff):
    make_entry(finding)  # record_entry's rows carry no actor outside a request
    response = auditor_client.get(URL, {"actor": auditor.pk})
    rows = response.context["rows"]
    assert rows and all(r.actor == str(auditor) for r in rows)
    assert auditor_client.get(URL, {"actor": manager.pk}).context["rows"] == []


def test_filter_by_kind_of_record_and_finding(auditor_client, finding, make_entry):
    make_entry(finding)
    entry_type = ContentType.objects.get(app_label="remediation", model="remediationentry")
    rows = auditor_client.get(URL, {"content_type": entry_type.pk}).context["rows"]
    assert rows and {r.model for r in rows} == {"措置"}
    rows = auditor_client.get(URL, {"finding": finding.pk}).context["rows"]
    assert rows and {r.finding_id for r in rows} == {finding.pk}


def test_filter_by_date_range(auditor_client, finding):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    assert auditor_client.get(URL, {"date_from": today, "date_to": today}).context["rows"]
    assert auditor_client.get(URL, {"date_to": "2000-01-01"}).context["rows"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2021-13-40"}, "日付は 2021-09-30 の形で入力してください。"),
        ({"date_to": "abc"}, "日付は 2021-09-30 の形で入力してください。"),
        ({"date_from": "1900-01-01"}, "期間（から）は平成元年1月8日（1989-01-08）から"),
        ({"date_to": "9999-12-31"}, "期間（まで）は平成元年1月8日（1989-01-08）から"),
        ({"actor": "999999"}, "選択肢にない値です"),
        ({"actor": "x'--"}, "選択肢にない値です"),
        ({"content_type": "-1"}, "選択肢にない値です"),
        ({"action": "7"}, "選択肢にない値です"),
        ({"source": "shell"}, "選択肢にない値です"),
        ({"finding": "abc"}, "番号は半角数字で入力してください。"),
        ({"object_id": "9" * 40}, "番号が大きすぎます。"),
        ({"object_id": "0"}, "番号は1以上で入力してください。"),
        ({"finding": "1.5e400"}, "番号"),
        ({"date_from": "2021-10-01", "date_to": "2021-09-30"}, "期間の終わりは始まりより後"),
        ({"page": "abc"}, ""),
        ({"page": "99999"}, ""),
    ],
)
def test_malformed_filters_show_a_japanese_error_and_nothing_else(
    auditor_client, finding, params, message
):
    response = auditor_client.get(URL, params)
    # Filters that cannot be read are a bad request: the page, with the errors, as 400.
    assert response.status_code == (400 if message else 200)
    html = response.content.decode()
    if message:
        assert message in html
        assert "絞り込みの条件に誤りがあります" in html
        assert response.context["rows"] == []
    else:
        assert response.context["rows"]


LOG_PAGE = [
    "session",
    "user with department and its parent (the header's 所属)",
    "user's groups (role_of)",
    "filter: actor choices",
    "filter: kind-of-record choices",
    "COUNT of the filtered log",
    "page of log rows with actor and content type",
]


@pytest.mark.parametrize("n", [1, 50])
def test_log_page_query_count_is_fixed(client, auditor, make_finding, django_assert_num_queries, n):
    for i in range(n):
        make_finding(label=f"{i}", title=f"件名{i}")
    client.force_login(auditor)
    ContentType.objects.clear_cache()
    with django_assert_num_queries(len(LOG_PAGE)):
        response = client.get(URL, {"source": "command"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(50, len(response.context["rows"]))
