"""Issue 12 item 8: report and evidence downloads are security events in the audit log —
who, what, which selection or file, when, from where — like sign-ins."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts import security_log
from history.models import LogEntry
from remediation.files import check_upload
from remediation.models import Evidence
from remediation.services import record_entry
from tests.ui_staff.test_entries import pdf


def _downloads() -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            activity__in=[security_log.REPORT_DOWNLOADED, security_log.EVIDENCE_DOWNLOADED]
        ).order_by("id")
    )


@pytest.fixture
def evidence(finding, ict_staff, statuses, evidence_dir) -> Evidence:
    entry = record_entry(
        finding,
        status=statuses["keizoku"],
        entry_date=datetime.date(2021, 9, 30),
        content="途中",
        user=ict_staff,
        files=[check_upload(pdf("サーバ室 写真.pdf"))],
    )
    return entry.evidence.get()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_report_download_is_logged_with_user_format_file_and_selection(
    client, manager, finding, fmt
):
    client.force_login(manager)
    started = datetime.datetime.now(datetime.UTC)

    response = client.get(
        reverse("report_export", args=[fmt]), {"audit": finding.audit_id, "open_only": "1"}
    )

    assert response.status_code == 200
    [line] = _downloads()
    assert line.actor == manager
    assert line.activity == "報告書をダウンロード"
    assert line.content_type == ContentType.objects.get_for_model(type(manager))
    assert line.object_id == manager.pk
    summary = line.additional_data["summary"]
    assert "措置状況" in summary and ("CSV" if fmt == "csv" else "Excel") in summary
    assert "未措置のみ" in summary
    assert "アドレス 127.0.0.1" in summary
    assert line.additional_data["file"].endswith(f".{fmt}")
    assert f"audit={finding.audit_id}" in line.additional_data["query"]
    assert line.timestamp >= started - datetime.timedelta(seconds=1)


def test_a_refused_export_is_not_logged_as_a_download(client, manager, finding):
    client.force_login(manager)
    response = client.get(reverse("report_export", args=["csv"]), {"as_of": "1900-01-01"})
    assert response.status_code == 400
    assert _downloads() == []


def test_an_audit_report_pdf_download_is_logged(client, auditor, finding):
    client.force_login(auditor)

    response = client.get(
        reverse("audit_summary_export", kwargs={"pk": finding.audit_id, "fmt": "pdf"})
    )

    assert response.status_code == 200
    [line] = _downloads()
    assert line.actor == auditor
    assert "監査報告書 PDF" in line.additional_data["summary"]
    assert line.additional_data["file"].endswith(".pdf")


def test_an_evidence_download_is_logged_against_the_file(client, auditor, evidence):
    client.force_login(auditor)

    response = client.get(reverse("evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    [line] = _downloads()
    assert line.actor == auditor
    assert line.activity == "証跡ファイルをダウンロード"
    assert line.content_type == ContentType.objects.get_for_model(Evidence)
    assert line.object_id == evidence.pk
    assert "サーバ室 写真.pdf" in line.additional_data["summary"]


def test_a_refused_evidence_download_is_not_logged(client, jinji_staff, evidence):
    client.force_login(jinji_staff)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
    assert _downloads() == []


def test_downloads_show_on_the_log_page(client, auditor, evidence):
    client.force_login(auditor)
    client.get(reverse("evidence_download", args=[evidence.pk]))

    page = client.get(reverse("log_list"))

    assert "証跡ファイルをダウンロード" in page.content.decode()
