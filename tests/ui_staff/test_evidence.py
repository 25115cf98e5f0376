"""Evidence files: content sniffing and download rights."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from remediation.files import check_upload
from remediation.services import record_entry
from tests.ui_staff.test_entries import PDF, pdf


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
        ("a.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (
            "a.xlsx",
            _zip(["[Content_Types].xml", "xl/workbook.xml"]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "application/msword"),
        ("a.csv", "部署,件数\n総務,1\n".encode("cp932"), "text/csv"),
    ],
)
def test_accepted_types_are_recognised_by_content(settings, name, data, content_type):
    checked = check_upload(SimpleUploadedFile(name, data))
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.zip", _zip(["payload.exe"])),
        ("a.docx", _zip(["[Content_Types].xml", "xl/workbook.xml"])),
        ("a.pdf", b"MZ\x90\x00"),
        ("a.html", b"<html></html>"),
        ("a.txt", b"\x00\x01binary"),
    ],
)
def test_refused_types(settings, name, data):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile(name, data))


@pytest.fixture
def evidence(finding, ict_staff, statuses, evidence_dir):
    import datetime

    entry = record_entry(
        finding,
        status=statuses["keizoku"],
        entry_date=datetime.date(2021, 9, 30),
        content="途中",
        user=ict_staff,
        files=[check_upload(pdf("サーバ室 写真.pdf"))],
    )
    return entry.evidence.get()


def test_owner_downloads_evidence_as_attachment(client, ict_staff, evidence):
    client.force_login(ict_staff)
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''%E3%82%B5" in disposition


def test_auditor_and_manager_may_download(client, auditor, manager, evidence):
    for user in (auditor, manager):
        client.force_login(user)
        assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 200


def test_other_department_gets_404(client, jinji_staff, evidence):
    client.force_login(jinji_staff)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, evidence):
    response = client.get(reverse("evidence_download", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_missing_file_on_disk_is_404_not_500(client, ict_staff, evidence, evidence_dir):
    (evidence_dir / evidence.file.name).unlink()
    client.force_login(ict_staff)
    assert client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 404
