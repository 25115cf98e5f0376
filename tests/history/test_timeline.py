"""A finding's page shows its timeline: the finding's own changes and those of its
entries (and evidence), newest first, each field by its Japanese name before → after.
Whoever may see the finding sees its timeline, and nothing about other findings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from findings.services import update_finding
from history.timeline import finding_timeline

pytestmark = pytest.mark.django_db


def test_the_timeline_shows_changes_newest_first_with_japanese_field_names(
    client, finding, auditor, make_entry
):
    update_finding(finding, departments=list(finding.departments.all()), user=auditor, title="新")
    make_entry(finding, status="sochizumi")
    rows = finding_timeline(finding.pk)
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    assert ("措置", "登録") in {(r.model, r.action) for r in rows}
    changed = next(r for r in rows if r.model == "指摘事項" and r.action == "変更")
    assert [(c.label, c.before, c.after) for c in changed.changes] == [
        ("件名", "サーバ室内の整理整頓について", "新")
    ]

    client.force_login(auditor)
    html = client.get(reverse("finding_detail", args=[finding.pk])).content.decode()
    assert "変更の履歴" in html
    assert "サーバ室内の整理整頓について</span> → <span" in html
    assert "状況" in html and "措置済" in html


def test_staff_see_the_timeline_of_their_departments_finding_only(
    client, finding, make_finding, ict_staff, jinji, auditor
):
    other = make_finding(label="②", title="人事課だけの指摘 SECRET42", departments=[jinji])
    update_finding(other, departments=[jinji], user=auditor, body="人事課の本文 SECRET42")
    client.force_login(ict_staff)
    response = client.get(reverse("finding_detail", args=[finding.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "変更の履歴" in html
    assert "SECRET42" not in html
    assert client.get(reverse("finding_detail", args=[other.pk])).status_code == 404


def test_a_sub_item_hides_its_parent_from_those_who_may_not_see_it(
    make_finding, ict, jinji, auditor
):
    parent = make_finding(label="①", title="親 HIDDENPARENT", departments=[jinji])
    child = make_finding(label="ア", title="子", parent=parent, departments=[ict])
    hidden = finding_timeline(child.pk, parent_visible=False)
    shown = finding_timeline(child.pk, parent_visible=True)
    assert all(c.label != "親項目" for r in hidden for c in r.changes)
    assert any(c.label == "親項目" for r in shown for c in r.changes)


def test_an_admin_refusal_and_an_app_change_both_show_in_the_timeline(
    client, finding, administrator, auditor
):
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    url = reverse("admin:findings_finding_change", args=[finding.pk])
    assert client.post(url, {"title": "管理サイトから"}).status_code == 403
    client.force_login(auditor)
    update_finding(finding, departments=list(finding.departments.all()), user=auditor, title="新")
    rows = finding_timeline(finding.pk)
    assert rows[0].changes[0].after == "新"
    assert rows[1].action == "管理サイトでの変更を拒否"
    assert rows[1].source == "管理サイト"
