"""「監査報告書の内容」: auditors write the audit report's texts and its lists 監査実施日程,
総評, 推奨する点 in the app; malformed input gets Japanese field errors, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audits.models import Commendation, OverallComment, ScheduleItem
from audits.services import add_commendation, add_overall_comment, add_schedule_item

pytestmark = pytest.mark.django_db

HUGE_ID = 10**20
TEXTS = {
    "report_title": "情報セキュリティ監査報告書（概要版）",
    "purpose": "情報資産が適切に管理されているかを確かめる。",
    "method": "書面監査\nヒアリング",
    "standards_applied": "市情報セキュリティポリシー",
    "standards_reference": "監査ガイドライン\n対策基準",
    "report_date_precision": "day",
}
# Every request: session, the user with their 所属, the user's groups (role).
PER_REQUEST = 3


def _text(response) -> str:
    return str(response.content.decode())


def _page(audit) -> str:
    return reverse("audit_report_content", args=[audit.pk])


def test_audit_page_links_to_the_report_content_page_for_auditors(auditor_client, audit):
    text = _text(auditor_client.get(reverse("audit_detail", args=[audit.pk])))

    assert _page(audit) in text


def test_manager_sees_no_link_and_gets_404(client, manager, audit):
    client.force_login(manager)

    assert _page(audit) not in _text(client.get(reverse("audit_detail", args=[audit.pk])))
    assert client.get(_page(audit)).status_code == 404
    assert client.post(_page(audit), TEXTS).status_code == 404


def test_report_texts_are_saved(auditor_client, audit):
    response = auditor_client.post(_page(audit), TEXTS | {"report_date_precision": "month"})

    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.method == "書面監査\nヒアリング"
    assert audit.report_date_precision == "month"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (TEXTS | {"report_title": "あ" * 201}, "監査報告書の表題は200文字以内で入力してください。"),
        (TEXTS | {"purpose": "あ" * 10001}, "監査目的は10000文字以内で入力してください。"),
        (TEXTS | {"report_date_precision": "year"}, "報告日の表し方は一覧から選んでください。"),
    ],
)
def test_malformed_report_texts_are_field_errors(auditor_client, audit, data, message):
    response = auditor_client.post(_page(audit), data)

    assert response.status_code == 200
    assert message in _text(response)


def test_empty_report_form_keeps_the_day_precision(auditor_client, audit):
    assert auditor_client.post(_page(audit), {}).status_code == 302

    audit.refresh_from_db()
    assert (audit.report_title, audit.report_date_precision) == ("", "day")


def test_schedule_item_is_added_and_shown_in_wareki(auditor_client, audit):
    response = auditor_client.post(
        reverse("schedule_add", args=[audit.pk]),
        {
            "schedule-date": "2016-09-20",
            "schedule-category": "予備調査",
            "schedule-content": "書面",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#schedule")
    assert "平成28年9月20日" in _text(auditor_client.get(_page(audit)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"schedule-category": "予備調査"}, "実施日を入力してください。"),
        (
            {"schedule-date": "2021-02-30", "schedule-category": "予備調査"},
            "実在する日付で入力してください",
        ),
        (
            {"schedule-date": "おととい", "schedule-category": "予備調査"},
            "実在する日付で入力してください",
        ),
        (
            {"schedule-date": "1900-01-01", "schedule-category": "予備調査"},
            "実施日は平成元年1月8日（1989-01-08）から",
        ),
        ({"schedule-date": "2016-09-20", "schedule-category": " "}, "区分を入力してください。"),
        (
            {"schedule-date": "2016-09-20", "schedule-category": "あ" * 101},
            "区分は100文字以内で入力してください。",
        ),
        (
            {
                "schedule-date": "2016-09-20",
                "schedule-category": "予備",
                "schedule-content": "あ" * 301,
            },
            "内容は300文字以内で入力してください。",
        ),
    ],
)
def test_malformed_schedule_item_is_a_field_error(auditor_client, audit, data, message):
    response = auditor_client.post(reverse("schedule_add", args=[audit.pk]), data)

    assert response.status_code == 200
    assert message in _text(response)
    assert not ScheduleItem.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("overall_comment_add", {"comment-heading": "全般"}, "本文を入力してください。"),
        (
            "overall_comment_add",
            {"comment-heading": "あ" * 201, "comment-body": "本文"},
            "見出しは200文字以内で入力してください。",
        ),
        ("commendation_add", {"commendation-text": ""}, "推奨する点を入力してください。"),
        (
            "commendation_add",
            {"commendation-text": "あ" * 10001},
            "推奨する点は10000文字以内で入力してください。",
        ),
    ],
)
def test_malformed_comment_or_commendation_is_a_field_error(
    auditor_client, audit, url, data, message
):
    response = auditor_client.post(reverse(url, args=[audit.pk]), data)

    assert response.status_code == 200
    assert message in _text(response)
    assert not OverallComment.objects.exists() and not Commendation.objects.exists()


def test_row_is_edited_moved_and_deleted_after_confirming(auditor_client, audit, auditor):
    first = add_overall_comment(audit, heading="全般", body="概ね適切", user=auditor)
    second = add_overall_comment(audit, heading="個別", body="課題あり", user=auditor)

    edit = reverse("overall_comment_edit", args=[audit.pk, first.pk])
    assert "概ね適切" in _text(auditor_client.get(edit))
    response = auditor_client.post(edit, {"heading": "全般的事項", "body": "適切"})
    assert response.status_code == 302
    assert response["Location"].endswith("#overall-comments")

    move = reverse("overall_comment_move", args=[audit.pk, second.pk])
    assert auditor_client.post(move, {"direction": "up"}).status_code == 302
    assert list(audit.overall_comments.all()) == [second, first]

    delete = reverse("overall_comment_delete", args=[audit.pk, first.pk])
    assert "削除" in _text(auditor_client.get(delete))
    assert OverallComment.objects.filter(pk=first.pk).exists()
    assert auditor_client.post(delete).status_code == 302
    assert list(OverallComment.objects.all()) == [second]


def test_malformed_schedule_edit_is_a_field_error(auditor_client, audit, auditor):
    item = add_schedule_item(
        audit, date=datetime.date(2016, 9, 20), category="予備調査", content="", user=auditor
    )

    response = auditor_client.post(
        reverse("schedule_edit", args=[audit.pk, item.pk]),
        {"date": "2021-02-30", "category": ""},
    )

    assert response.status_code == 200
    assert "実在する日付で入力してください" in _text(response)
    assert "区分を入力してください。" in _text(response)


@pytest.mark.parametrize("action", ["edit", "move", "delete"])
@pytest.mark.parametrize("what", ["schedule", "overall_comment", "commendation"])
def test_bad_row_ids_are_404(auditor_client, audit, other_audit, auditor, what, action):
    foreign = add_commendation(other_audit, text="別の監査", user=auditor)
    foreign_item = {
        "schedule": add_schedule_item(
            other_audit, date=datetime.date(2016, 9, 20), category="予備", content="", user=auditor
        ),
        "overall_comment": add_overall_comment(other_audit, heading="", body="別", user=auditor),
        "commendation": foreign,
    }[what]
    name = f"{what}_{action}"

    for item in (foreign_item.pk, HUGE_ID, 999999):
        assert auditor_client.post(reverse(name, args=[audit.pk, item])).status_code == 404
    assert auditor_client.post(reverse(name, args=[HUGE_ID, foreign_item.pk])).status_code == 404


def test_bad_audit_ids_are_404(auditor_client):
    assert auditor_client.get(reverse("audit_report_content", args=[HUGE_ID])).status_code == 404
    assert auditor_client.post(reverse("schedule_add", args=[HUGE_ID]), {}).status_code == 404


def test_summary_report_shows_what_was_typed(auditor_client, audit):
    auditor_client.post(_page(audit), TEXTS)
    auditor_client.post(
        reverse("schedule_add", args=[audit.pk]),
        {
            "schedule-date": "2016-09-20",
            "schedule-category": "予備調査",
            "schedule-content": "書面調査",
        },
    )
    auditor_client.post(
        reverse("overall_comment_add", args=[audit.pk]),
        {"comment-heading": "全般的事項", "comment-body": "概ね適切に管理されていた。"},
    )
    auditor_client.post(
        reverse("commendation_add", args=[audit.pk]), {"commendation-text": "研修が充実している。"}
    )

    text = _text(auditor_client.get(reverse("audit_summary", args=[audit.pk])))

    for typed in (
        "情報セキュリティ監査報告書（概要版）",
        "情報資産が適切に管理されているかを確かめる。",
        "ヒアリング",
        "市情報セキュリティポリシー",
        "対策基準",
        "平成28年9月20日",
        "書面調査",
        "全般的事項",
        "概ね適切に管理されていた。",
        "研修が充実している。",
    ):
        assert typed in text, typed


@pytest.mark.parametrize("count", [1, 20])
def test_report_content_page_query_count_does_not_grow_with_rows(
    auditor_client, django_assert_num_queries, audit, auditor, count
):
    for number in range(count):
        add_schedule_item(
            audit,
            date=datetime.date(2016, 9, 20 + number % 5),
            category=f"区分{number}",
            content="",
            user=auditor,
        )
        add_overall_comment(audit, heading=f"見出し{number}", body="本文", user=auditor)
        add_commendation(audit, text=f"推奨{number}", user=auditor)

    # + the audit (visible_audits) and its kinds (prefetch)
    # + the schedule, the 総評, the 推奨する点
    with django_assert_num_queries(PER_REQUEST + 5):
        response = auditor_client.get(_page(audit))

    assert len(response.context["schedule"]) == count
