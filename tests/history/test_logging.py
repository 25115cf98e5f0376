"""Every create, change and delete of a tracked record is logged with who, when, what
changed (before → after) and through which door: the app, Django admin or a command."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audits.models import User
from audits.roles import Role
from audits.services import add_viewpoint
from findings.models import Finding
from findings.services import add_finding, delete_finding, move_finding, update_finding
from history.models import Action, LogEntry, Source
from remediation.models import Evidence, RemediationEntry
from remediation.services import CheckedFile, attach_evidence
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows_for(obj: object, action: int | None = None) -> list[LogEntry]:
    model = type(obj)
    rows = LogEntry.objects.filter(
        content_type__app_label=model._meta.app_label,  # type: ignore[attr-defined]
        content_type__model=model._meta.model_name,  # type: ignore[attr-defined]
        object_id=obj.pk,  # type: ignore[attr-defined]
    ).order_by("id")
    if action is not None:
        rows = rows.filter(action=action)
    return list(rows)


def test_service_create_change_and_delete_of_a_finding_are_logged_with_the_acting_user(
    finding, auditor
):
    created = rows_for(finding, Action.CREATE)
    assert len(created) == 1
    assert created[0].actor == auditor
    assert created[0].source == Source.COMMAND  # no web request around the service call
    assert created[0].finding_id == finding.pk
    assert created[0].changes["title"] == ["None", "サーバ室内の整理整頓について"]

    update_finding(finding, departments=list(finding.departments.all()), user=auditor, title="新")
    changed = rows_for(finding, Action.UPDATE)[-1]
    assert changed.changes == {"title": ["サーバ室内の整理整頓について", "新"]}
    assert changed.actor == auditor

    pk = finding.pk
    delete_finding(finding, user=auditor)
    deleted = LogEntry.objects.get(
        content_type__model="finding", object_id=pk, action=Action.DELETE
    )
    assert deleted.finding_id == pk
    assert deleted.changes["body"] == ["不用なものは廃棄すること。", "None"]


def test_foreign_keys_are_logged_by_the_name_they_had(finding, auditor, section):
    created = rows_for(finding, Action.CREATE)[0]
    assert created.changes["section"][1] == str(section)


def test_department_changes_of_a_finding_are_logged_as_added_and_removed(
    finding, auditor, ict, jinji
):
    update_finding(finding, departments=[jinji], user=auditor)
    m2m = [r.changes["departments"] for r in rows_for(finding) if "departments" in r.changes]
    assert {"type": "m2m", "operation": "add", "objects": ["総務部 人事課"]} in m2m
    assert {"type": "m2m", "operation": "delete", "objects": ["総務部 ICT戦略課"]} in m2m


def test_reordering_logs_each_sort_order_before_and_after(make_finding, auditor):
    first = make_finding(label="①")
    second = make_finding(label="②")
    move_finding(second, offset=-1, user=auditor)
    assert rows_for(second, Action.UPDATE)[-1].changes == {"sort_order": ["1", "0"]}
    assert rows_for(first, Action.UPDATE)[-1].changes == {"sort_order": ["0", "1"]}


def test_viewpoint_links_log_only_what_changes(audit, make_finding, auditor, viewpoint):
    extra = add_viewpoint(audit, number="(4)", text="ほかの着眼点", user=auditor)
    finding = make_finding(extra_viewpoints=[extra])
    links = LogEntry.objects.filter(content_type__model="findingviewpoint")
    assert links.filter(action=Action.CREATE, finding_id=finding.pk).count() == 1

    before = links.count()
    update_finding(
        finding, departments=list(finding.departments.all()), user=auditor, extra_viewpoints=[extra]
    )
    assert links.count() == before  # nothing changed, nothing logged

    update_finding(finding, departments=list(finding.departments.all()), user=auditor)
    assert links.filter(action=Action.DELETE, finding_id=finding.pk).count() == 1


def test_entries_and_evidence_are_logged_under_their_finding(finding, make_entry, ict_staff):
    entry = make_entry(finding)
    attach_evidence(entry, CheckedFile(SimpleUploadedFile("a.pdf", PDF), "application/pdf"))
    evidence = Evidence.objects.get(entry=entry)
    assert rows_for(entry, Action.CREATE)[0].finding_id == finding.pk
    assert rows_for(entry, Action.CREATE)[0].actor is None  # record_entry takes no context
    assert rows_for(evidence, Action.CREATE)[0].finding_id == finding.pk


def test_a_change_in_the_app_is_logged_with_its_user_and_source_app(client, finding, auditor):
    client.force_login(auditor)
    data = {
        "kind": str(finding.kind_id),
        "section": str(finding.section_id),
        "viewpoint": str(finding.viewpoint_id),
        "label": "①",
        "title": "画面で変えた件名",
        "body": finding.body,
        "departments": [str(d.pk) for d in finding.departments.all()],
        "subclass": "",
        "due_date": "",
    }
    response = client.post(reverse("finding_edit", args=[finding.pk]), data)
    assert response.status_code == 302
    row = rows_for(finding, Action.UPDATE)[-1]
    assert row.changes["title"] == ["サーバ室内の整理整頓について", "画面で変えた件名"]
    assert (row.actor, row.source, row.remote_addr) == (auditor, Source.APP, "127.0.0.1")


def test_an_entry_posted_in_the_app_is_logged_with_the_staff_member(
    client, finding, ict_staff, statuses
):
    client.force_login(ict_staff)
    url = reverse("entry_create", args=[finding.pk])
    response = client.post(
        url, {"status": statuses["sochizumi"].pk, "entry_date": "2021-09-30", "content": "済ませた"}
    )
    # The confirmation step: submit what it shows.
    client.post(url, {"token": response.context["draft"].token, "action": "submit"})
    entry = RemediationEntry.objects.get(finding=finding)
    row = rows_for(entry, Action.CREATE)[0]
    assert (row.actor, row.source, row.finding_id) == (ict_staff, Source.APP, finding.pk)


@pytest.fixture
def admin_client(client: Client, administrator: User) -> Client:
    administrator.is_staff = True
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    return client


def test_a_user_change_through_the_admin_is_logged_with_source_admin(
    admin_client, administrator, ict_staff, ict
):
    url = reverse("admin:audits_user_change", args=[ict_staff.pk])
    auditors = Group.objects.get(name=Role.AUDITOR.value)
    response = admin_client.post(
        url,
        {
            "username": ict_staff.username,
            "display_name": "改名した人",
            "department": str(ict.pk),
            "is_active": "on",
            "groups": [str(auditors.pk)],
            "date_joined_0": "2021-04-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = rows_for(ict_staff, Action.UPDATE)
    renamed = next(r for r in rows if "display_name" in r.changes)
    assert renamed.changes["display_name"][1] == "改名した人"
    assert (renamed.actor, renamed.source) == (administrator, Source.ADMIN)
    roles = [r.changes["groups"] for r in rows if "groups" in r.changes]
    assert {"type": "m2m", "operation": "add", "objects": [Role.AUDITOR.value]} in roles
    assert {"type": "m2m", "operation": "delete", "objects": [Role.DEPARTMENT_STAFF.value]} in roles


def test_domain_data_is_read_only_in_the_admin_and_a_refused_change_is_logged(
    admin_client, administrator, finding
):
    url = reverse("admin:findings_finding_change", args=[finding.pk])
    assert admin_client.get(url).status_code == 200  # looked at, yes
    response = admin_client.post(url, {"title": "管理サイトで変えた件名", "body": "x"})
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.title == "サーバ室内の整理整頓について"
    refused = rows_for(finding, Action.NOTE)[-1]
    assert refused.activity == "管理サイトでの変更を拒否"
    assert (refused.actor, refused.source, refused.finding_id) == (
        administrator,
        Source.ADMIN,
        finding.pk,
    )
    delete = admin_client.post(reverse("admin:findings_finding_delete", args=[finding.pk]))
    assert delete.status_code == 403
    assert Finding.objects.filter(pk=finding.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "audits_audit",
        "audits_auditkind",
        "findings_finding",
        "findings_findingkind",
        "remediation_remediationentry",
        "remediation_remediationstatus",
        "history_logentry",
    ],
)
def test_admin_offers_no_add_for_domain_data_or_the_log(admin_client, name):
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_the_admin_log_page_cannot_change_or_delete_a_row(admin_client, finding):
    row = rows_for(finding)[0]
    assert (
        admin_client.get(reverse("admin:history_logentry_change", args=[row.pk])).status_code == 200
    )
    delete = admin_client.post(
        reverse("admin:history_logentry_delete", args=[row.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert LogEntry.objects.filter(pk=row.pk).exists()


def test_a_management_command_is_logged_with_source_command(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Command-pass-2026!")
    call_command("createsuperuser", "--noinput", username="ops", email="ops@example.jp")
    user = User.objects.get(username="ops")
    created = rows_for(user, Action.CREATE)[0]
    assert (created.actor, created.source) == (None, Source.COMMAND)
    assert created.changes["password"] == ["None", "（非表示）"]  # masked, never the hash


def test_signing_in_logs_only_the_security_line_not_a_user_change(client, auditor):
    from accounts import security_log

    before = LogEntry.objects.exclude(activity__in=security_log.ACTIONS).count()
    response = client.post(
        reverse("login"), {"username": "auditor", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302
    assert LogEntry.objects.filter(activity=security_log.SIGNED_IN, actor=auditor).exists()
    # last_login changed, but that is no change anyone made
    assert LogEntry.objects.exclude(activity__in=security_log.ACTIONS).count() == before


def test_a_write_after_a_request_is_not_taken_for_part_of_it(client, auditor, audit, kinds, ict):
    """The request's context (its user, source app) ends with the request."""
    client.force_login(auditor)
    client.get(reverse("audit_list"))
    finding = add_finding(audit, kind=kinds["iken"], body="後から", departments=[ict], user=None)
    created = rows_for(finding, Action.CREATE)[0]
    assert (created.actor, created.source) == (None, Source.COMMAND)


def test_every_tracked_model_of_the_issue_is_registered():
    from auditlog.registry import auditlog

    labels = {m._meta.label for m in auditlog.get_models()}
    assert labels >= {
        "audits.Audit", "audits.Section", "audits.KeyRisk", "audits.Viewpoint",
        "audits.AuditedSystem", "audits.ScheduleItem", "audits.OverallComment",
        "audits.Commendation", "audits.Department", "audits.AuditKind", "audits.User",
        "auth.Group", "findings.Finding", "findings.FindingViewpoint", "findings.FindingKind",
        "findings.FindingSubclass", "remediation.RemediationEntry", "remediation.Evidence",
        "remediation.RemediationStatus",
    }  # fmt: skip
    assert "history.LogEntry" not in labels


def test_dates_are_logged_as_iso_strings(finding, auditor):
    update_finding(
        finding,
        departments=list(finding.departments.all()),
        user=auditor,
        due_date=datetime.date(2022, 3, 31),
    )
    assert rows_for(finding, Action.UPDATE)[-1].changes == {"due_date": ["None", "2022-03-31"]}


def test_deleting_a_user_who_acted_is_refused_by_the_admin_with_a_page_not_an_error(
    admin_client, auditor, finding
):
    response = admin_client.post(
        reverse("admin:audits_user_delete", args=[auditor.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert User.objects.filter(pk=auditor.pk).exists()
