"""The import page: upload → preview (nothing written) → import → result."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import Audit, AuditKind
from imports.layout import template_workbook

QUERIES = 3  # the session, the user and their role


def _upload(client, data: bytes, name: str = "sochi.xlsx"):
    return client.post(reverse("import_upload"), {"file": SimpleUploadedFile(name, data)})


def test_preview_then_import_then_nothing_new(client, auditor, ict, kinds, statuses):
    AuditKind.objects.get_or_create(name="行政監査")
    client.force_login(auditor)
    assert client.get(reverse("import_upload")).status_code == 200
    response = _upload(client, template_workbook())
    assert response.status_code == 200
    assert "取り込む 1行" in response.content.decode()
    assert Audit.objects.count() == 0
    token = response.context["token"]
    response = client.post(reverse("import_apply"), {"token": token})
    assert response.status_code == 200
    assert "取り込みました: 監査 1件、指摘事項 1件、措置 1件" in response.content.decode()
    assert Audit.objects.count() == 1
    response = _upload(client, template_workbook())
    assert "すべての行が登録済みです" in response.content.decode()
    assert "token" not in response.context


def test_bad_files_show_a_message_next_to_the_field(client, auditor):
    client.force_login(auditor)
    response = _upload(client, b"this is not a workbook", "junk.xlsx")
    assert response.status_code == 200
    assert "Excel ファイル（.xlsx）として読めません" in response.content.decode()
    response = client.post(reverse("import_apply"), {"token": "guessed"})
    assert response.status_code == 302


def test_template_download(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("import_template"))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")


def test_a_file_too_long_for_the_page_points_to_the_command(
    client, auditor, ict, kinds, statuses, monkeypatch
):
    from imports import views

    monkeypatch.setattr(views, "MAX_PAGE_ROWS", 0)
    client.force_login(auditor)
    response = _upload(client, template_workbook())
    assert "import_sochi" in response.content.decode()
    assert Audit.objects.count() == 0


def test_a_preview_left_for_a_day_is_removed(client, auditor, ict, kinds, statuses):
    import datetime
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    AuditKind.objects.get_or_create(name="行政監査")
    staging = storages["staging"]
    old = staging.save("imports/abandoned.xlsx", ContentFile(b"x"))
    stale = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(staging.path(old), (stale, stale))
    client.force_login(auditor)
    response = _upload(client, template_workbook())
    assert response.context["token"]
    assert not staging.exists(old)
    assert staging.exists(f"imports/{response.context['token']}.xlsx")


def test_the_upload_page_reads_a_fixed_number_of_rows(client, auditor, django_assert_num_queries):
    client.force_login(auditor)
    client.get(reverse("import_upload"))
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("import_upload")).status_code == 200
