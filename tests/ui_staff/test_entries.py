"""Posting a remediation entry: the happy path and every malformed input."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.wareki import format_wareki
from remediation.models import Evidence, RemediationEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def pdf(name: str = "報告書.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def post_entry(client, finding, statuses):
    def post(user, target=None, files=None, **overrides):
        data = {
            "status": statuses["sochizumi"].pk,
            "entry_date": "2021-05-31",
            "content": "サーバ室の不用品を廃棄した。",
        }
        data.update(overrides)
        data = {k: v for k, v in data.items() if v is not None}
        if files:
            data["evidence"] = files
        client.force_login(user)
        url = reverse("entry_create", args=[(target or finding).pk])
        response = client.post(url, data)
        draft = response.context.get("draft") if response.context else None
        if draft is None:
            return response  # the form again, with errors (or a redirect)
        # The confirmation step: submit what it shows.
        return client.post(url, {"token": draft.token, "action": "submit"})

    return post


def test_staff_records_an_entry_with_an_evidence_pdf(
    client, post_entry, ict_staff, finding, evidence_dir
):
    response = post_entry(ict_staff, files=[pdf()])
    assert response.status_code == 302
    assert response["Location"] == reverse("finding_detail", args=[finding.pk])
    entry = RemediationEntry.objects.get(finding=finding)
    assert entry.status.name == "措置済"
    assert entry.author == ict_staff
    evidence = Evidence.objects.get(entry=entry)
    assert evidence.original_name == "報告書.pdf"
    assert evidence.content_type == "application/pdf"
    assert (evidence_dir / evidence.file.name).read_bytes() == PDF
    page = client.get(response["Location"]).content.decode()
    assert "措置の報告を提出しました（証跡ファイル1件）" in page
    assert "【 措置済 】 令和 3年 5月31日" in page


def test_entry_page_shows_the_date_in_wareki(client, ict_staff, finding):
    client.force_login(ict_staff)
    response = client.get(reverse("entry_create", args=[finding.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # Today, in the one date widget: 和暦 in the field and the reading under it.
    assert 'id="id_entry_date_understood"' in html
    assert "として登録します" in html


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"status": None}, "状況を選んでください。"),
        ({"status": "99999"}, "選択肢にない状況です。"),
        ({"status": "abc"}, "選択肢にない状況です。"),
        ({"entry_date": "2021-02-30"}, "存在する日付を入力してください"),
        ({"entry_date": "令和3年"}, "存在する日付を入力してください"),
        ({"entry_date": None}, "措置日を入力してください。"),
        ({"entry_date": "2021-01-01"}, "監査実施日より前にはできません"),
        ({"entry_date": "2999-01-01"}, "未来の日付は指定できません"),
        ({"content": "   "}, "措置の内容を入力してください。"),
        ({"content": "あ" * 4001}, "4000文字以内で入力してください（現在4001文字）"),
    ],
)
def test_malformed_entry_is_refused_beside_the_field_keeping_the_text(
    post_entry, ict_staff, finding, overrides, field_message
):
    response = post_entry(ict_staff, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert field_message in html
    assert 'class="field__error"' in html
    assert not RemediationEntry.objects.filter(finding=finding).exists()
    if "content" not in overrides:
        assert "サーバ室の不用品を廃棄した。" in html  # what was typed is kept


def test_oversized_file_is_refused_and_user_told_to_choose_again(
    post_entry, ict_staff, finding, settings, evidence_dir
):
    settings.EVIDENCE_MAX_BYTES = 10
    html = post_entry(ict_staff, files=[pdf()]).content.decode()
    assert "「報告書.pdf」は大きすぎます" in html
    assert "もう一度選択してください" in html
    assert "サーバ室の不用品を廃棄した。" in html
    assert not RemediationEntry.objects.exists()
    assert not any(evidence_dir.iterdir())


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.pdf", EXE, "受け付けられない種類のファイル"),
        ("page.txt", b"<!DOCTYPE html><script>alert(1)</script>", "受け付けられない種類"),
        (
            "image.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "受け付けられない",
        ),
        ("report.png", PDF, "拡張子が一致しません"),
        ("empty.pdf", b"", "空のファイル"),
    ],
)
def test_wrong_type_file_is_refused(post_entry, ict_staff, finding, name, data, message):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    html = post_entry(ict_staff, files=[upload]).content.decode()
    assert message in html
    assert not RemediationEntry.objects.exists()


def test_staff_cannot_post_to_another_departments_finding(
    client, post_entry, ict_staff, make_finding, jinji
):
    other = make_finding(label="②", departments=[jinji])
    assert post_entry(ict_staff, target=other).status_code == 404
    assert client.get(reverse("entry_create", args=[other.pk])).status_code == 404
    assert not RemediationEntry.objects.exists()


def test_manager_is_refused_with_403_on_get_and_post(client, post_entry, manager, finding):
    assert post_entry(manager).status_code == 403
    assert client.get(reverse("entry_create", args=[finding.pk])).status_code == 403
    assert not RemediationEntry.objects.exists()


def test_auditor_may_transcribe_an_entry(post_entry, auditor, finding):
    assert post_entry(auditor).status_code == 302
    assert RemediationEntry.objects.get(finding=finding).author == auditor


def test_parent_with_sub_items_takes_no_entries(post_entry, ict_staff, make_finding):
    parent = make_finding(label="③")
    make_finding(label="ア", parent=parent)
    response = post_entry(ict_staff, target=parent)
    assert response.status_code == 302
    assert not RemediationEntry.objects.exists()


def test_unknown_finding_id_is_404(client, ict_staff, db):
    client.force_login(ict_staff)
    assert client.get("/findings/99999/entries/new/").status_code == 404


def test_default_date_is_today(client, ict_staff, finding):
    client.force_login(ict_staff)
    html = client.get(reverse("entry_create", args=[finding.pk])).content.decode()
    # Shown in 和暦 (as on the documents), read back by the same parser on submit.
    assert f'value="{format_wareki(datetime.date.today())}"' in html


def test_date_error_shows_together_with_other_field_errors(post_entry, ict_staff):
    html = post_entry(ict_staff, status=None, entry_date="2999-01-01").content.decode()
    assert "状況を選んでください。" in html
    assert "未来の日付は指定できません" in html
