"""The finding list, the department start page and the finding page, as each role sees them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.conftest import make_user


@pytest.fixture
def ict_and_jinji(make_finding, jinji):
    ict_finding = make_finding(title="ICT戦略課のサーバ室")
    jinji_finding = make_finding(title="人事課の書庫", label="②", departments=[jinji])
    return ict_finding, jinji_finding


def test_home_sends_each_role_to_its_start_page(client, auditor, administrator, ict_staff, manager):
    for user, name in [
        (auditor, "audit_list"),
        (administrator, "audit_list"),
        (ict_staff, "my_findings"),
        (manager, "dashboard"),
    ]:
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == reverse(name)


def test_user_without_role_gets_an_explanation_not_a_loop(client, ict):
    client.force_login(make_user(None, ict))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "ロール" in response.content.decode()


def test_anonymous_is_sent_to_login(client, finding):
    for url in [
        reverse("finding_list"),
        reverse("my_findings"),
        reverse("finding_detail", args=[finding.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_header_shows_name_department_role_and_staff_menu(client, ict_staff, ict_and_jinji):
    client.force_login(ict_staff)
    html = client.get(reverse("my_findings")).content.decode()
    assert "総務部 ICT戦略課" in html
    assert "所管課担当" in html
    assert "担当の指摘事項" in html
    assert "監査一覧" not in html
    assert 'action="/accounts/logout/"' in html


def test_staff_see_only_their_findings_on_the_list(client, ict_staff, ict_and_jinji):
    client.force_login(ict_staff)
    html = client.get(reverse("finding_list")).content.decode()
    assert "ICT戦略課のサーバ室" in html
    assert "人事課の書庫" not in html


def test_staff_see_only_their_findings_on_their_page(client, ict_staff, ict_and_jinji):
    client.force_login(ict_staff)
    html = client.get(reverse("my_findings")).content.decode()
    assert "ICT戦略課のサーバ室" in html
    assert "人事課の書庫" not in html


def test_staff_get_404_for_another_departments_finding(client, ict_staff, ict_and_jinji):
    client.force_login(ict_staff)
    assert client.get(reverse("finding_detail", args=[ict_and_jinji[1].pk])).status_code == 404
    assert client.get(reverse("finding_detail", args=[ict_and_jinji[0].pk])).status_code == 200


@pytest.mark.parametrize("param", ["department", "audit"])
def test_filtering_by_a_foreign_id_leaks_nothing(client, ict_staff, jinji, ict_and_jinji, param):
    client.force_login(ict_staff)
    foreign = jinji.pk if param == "department" else 99999
    response = client.get(reverse("finding_list"), {param: foreign})
    html = response.content.decode()
    assert response.status_code == 200
    assert "選択肢にない値です" in html
    assert "人事課の書庫" not in html
    assert "ICT戦略課のサーバ室" not in html  # a refused filter shows nothing


@pytest.mark.parametrize(
    "query",
    [{"page": "abc"}, {"page": "-1"}, {"page": "99999"}, {"o": "'; drop"}, {"fiscal_year": "abc"}],
)
def test_malformed_list_parameters_never_500(client, auditor, ict_and_jinji, query):
    client.force_login(auditor)
    assert client.get(reverse("finding_list"), query).status_code == 200


def test_malformed_page_shows_page_one(client, auditor, ict_and_jinji):
    client.force_login(auditor)
    html = client.get(reverse("finding_list"), {"page": "x"}).content.decode()
    assert '全 <span class="num">2</span> 件中 1〜2 件' in html


def test_list_keeps_filter_in_download_links(client, auditor, ict_and_jinji, ict):
    client.force_login(auditor)
    html = client.get(reverse("finding_list"), {"department": ict.pk, "page": "1"}).content.decode()
    assert f"{reverse('report_export', args=['pdf'])}?department={ict.pk}" in html
    assert f"{reverse('report_preview')}?department={ict.pk}" in html


def test_list_paginates_25_per_page(client, auditor, make_finding):
    for n in range(30):
        make_finding(label=f"({n})", title=f"件名{n:02d}")
    client.force_login(auditor)
    first = client.get(reverse("finding_list")).content.decode()
    second = client.get(reverse("finding_list"), {"page": 2}).content.decode()
    assert first.count('scope="row"') == 25
    assert second.count('scope="row"') == 5


def test_htmx_request_gets_only_the_results(client, auditor, ict_and_jinji):
    client.force_login(auditor)
    response = client.get(
        reverse("finding_list"),
        {"q": "人事"},
        headers={"HX-Request": "true", "HX-Target": "finding-search"},
    )
    html = response.content.decode()
    assert "<html" not in html
    # The matched term is marked (findings.search.highlight).
    assert "<mark>人事</mark>課の書庫" in html and "ICT戦略課のサーバ室" not in html


def test_my_findings_lists_open_before_closed_with_days_since(
    client, ict_staff, make_finding, make_entry
):
    done = make_finding(title="済んだ件")
    make_entry(done, status="sochizumi", day=datetime.date(2021, 5, 31))
    make_finding(title="まだの件", label="②")
    client.force_login(ict_staff)
    html = client.get(reverse("my_findings")).content.decode()
    assert html.index("まだの件") < html.index("済んだ件")
    assert "未報告" in html
    assert "日</td>" in html


def test_my_findings_shows_parent_as_context_only(client, ict_staff, make_finding):
    parent = make_finding(label="③", title="親の件")
    make_finding(label="ア", title="子の件", parent=parent)
    client.force_login(ict_staff)
    html = client.get(reverse("my_findings")).content.decode()
    assert "以下の小項目ごとに措置を記録します" in html
    assert html.index("親の件") < html.index("子の件")


def test_my_findings_for_a_manager_explains_instead_of_listing(client, manager, ict_and_jinji):
    client.force_login(manager)
    html = client.get(reverse("my_findings")).content.decode()
    assert "所管課担当者向け" in html


def test_detail_shows_audit_header_entries_and_form(client, ict_staff, finding, make_entry):
    make_entry(finding, status="keizoku", day=datetime.date(2021, 9, 30), content="途中まで実施")
    client.force_login(ict_staff)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "令和2年度" in html
    assert "情報セキュリティの管理について" in html
    assert "令和3年2月10日" in html
    assert "【 継続努力 】 令和 3年 9月30日" in html
    assert "途中まで実施" in html
    assert "総務部 ICT戦略課" in html
    assert "措置を記録する" in html


def test_manager_sees_detail_without_entry_form(client, manager, finding):
    client.force_login(manager)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "措置を記録する" not in html


def test_auditor_sees_edit_link_and_why_a_finding_with_history_cannot_be_deleted(
    client, auditor, finding, make_entry
):
    client.force_login(auditor)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert reverse("finding_edit", args=[finding.pk]) in html
    assert reverse("finding_delete", args=[finding.pk]) in html
    make_entry(finding)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert reverse("finding_delete", args=[finding.pk]) not in html
    assert "履歴として残す必要があります" in html


def test_parent_detail_lists_sub_items_and_takes_no_entries(client, ict_staff, make_finding):
    parent = make_finding(label="③", title="親の件")
    child = make_finding(label="ア", title="子の件", parent=parent)
    client.force_login(ict_staff)
    html = client.get(reverse("finding_detail", args=[parent.pk])).content.decode()
    assert "子の件" in html
    assert "措置を記録する" not in html
    child_html = client.get(reverse("finding_detail", args=[child.pk])).content.decode()
    assert "親の件" in child_html


def test_organisation_menu_only_for_administrators(client, administrator, manager):
    """管理者 run the organisation and people on the app's own pages; Django admin is for
    developers and has no menu entry."""
    client.force_login(administrator)
    html = client.get(reverse("finding_list")).content.decode()
    assert reverse("department_tree") in html and reverse("person_list") in html
    assert "管理画面" not in html
    client.force_login(manager)
    html = client.get(reverse("finding_list")).content.decode()
    assert reverse("department_tree") not in html and "管理画面" not in html
