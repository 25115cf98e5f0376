"""Services that write the audit report's own content (監査報告書): its texts and the
ordered lists 監査実施日程, 総評, 推奨する点 — each change recorded, each list reorderable."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.models import Commendation, OverallComment, ScheduleItem
from audits.services import (
    add_commendation,
    add_overall_comment,
    add_schedule_item,
    delete_commendation,
    delete_overall_comment,
    delete_schedule_item,
    move_commendation,
    move_overall_comment,
    move_schedule_item,
    update_audit_report,
    update_overall_comment,
    update_schedule_item,
)
from history.models import LogEntry

pytestmark = pytest.mark.django_db

TEXTS = {
    "report_title": "情報セキュリティ監査報告書（概要版）",
    "purpose": "情報資産の管理を確かめる。",
    "method": "書面監査\n実地監査",
    "standards_applied": "市情報セキュリティポリシー",
    "standards_reference": "地方公共団体における情報セキュリティ監査に関するガイドライン",
    "report_date_precision": "month",
}


def test_audit_report_texts_are_saved_and_recorded(audit, auditor):
    update_audit_report(audit, user=auditor, **TEXTS)

    audit.refresh_from_db()
    assert {name: getattr(audit, name) for name in TEXTS} == TEXTS
    assert LogEntry.objects.filter(activity="監査報告書の内容を変更", object_id=audit.pk).exists()


def test_audit_report_refuses_an_unknown_date_precision(audit, auditor):
    with pytest.raises(ValidationError) as error:
        update_audit_report(audit, user=auditor, **(TEXTS | {"report_date_precision": "year"}))

    assert "report_date_precision" in error.value.message_dict


def test_audit_report_update_leaves_the_header_alone(audit, auditor):
    update_audit_report(audit, user=auditor, **TEXTS)

    audit.refresh_from_db()
    assert audit.theme == "情報セキュリティの管理について"


def test_schedule_prints_by_date_and_moves_only_within_a_day(audit, auditor):
    day = datetime.date(2016, 9, 20)
    later = add_schedule_item(
        audit, date=day + datetime.timedelta(days=1), category="実地監査", content="", user=auditor
    )
    first = add_schedule_item(audit, date=day, category="予備調査", content="書面", user=auditor)
    second = add_schedule_item(audit, date=day, category="講評", content="", user=auditor)

    move_schedule_item(second, offset=-1, user=auditor)
    move_schedule_item(later, offset=-1, user=auditor)  # first of its day: stays

    assert list(audit.schedule.all()) == [second, first, later]


@pytest.mark.parametrize("date", [datetime.date(1900, 1, 1), datetime.date(2201, 1, 1)])
def test_schedule_date_outside_the_supported_years_is_refused(audit, auditor, date):
    with pytest.raises(ValidationError) as error:
        add_schedule_item(audit, date=date, category="予備調査", content="", user=auditor)

    assert "date" in error.value.message_dict
    assert not ScheduleItem.objects.exists()


def test_schedule_item_is_updated_and_deleted(audit, auditor):
    item = add_schedule_item(
        audit, date=datetime.date(2016, 9, 20), category="予備調査", content="", user=auditor
    )

    update_schedule_item(
        item, date=datetime.date(2016, 9, 21), category="実地監査", content="庁舎", user=auditor
    )
    item.refresh_from_db()
    assert (item.date, item.category, item.content) == (
        datetime.date(2016, 9, 21),
        "実地監査",
        "庁舎",
    )

    delete_schedule_item(item, user=auditor)
    assert not ScheduleItem.objects.exists()
    assert LogEntry.objects.filter(activity="監査実施日程を削除").exists()


def test_empty_category_is_refused_by_the_model(audit, auditor):
    with pytest.raises(ValidationError):
        add_schedule_item(
            audit, date=datetime.date(2016, 9, 20), category="", content="", user=auditor
        )


def test_overall_comments_keep_the_order_the_auditor_sets(audit, auditor):
    first = add_overall_comment(audit, heading="全般", body="概ね適切", user=auditor)
    second = add_overall_comment(audit, heading="", body="課題あり", user=auditor)

    move_overall_comment(second, offset=-1, user=auditor)
    first.refresh_from_db()  # as the edit page fetches it: a move renumbers in the database
    update_overall_comment(first, heading="全般的事項", body="概ね適切", user=auditor)

    assert [c.heading for c in audit.overall_comments.all()] == ["", "全般的事項"]
    delete_overall_comment(first, user=auditor)
    assert list(OverallComment.objects.all()) == [second]


def test_commendations_are_added_moved_and_deleted(audit, auditor):
    first = add_commendation(audit, text="研修が充実", user=auditor)
    second = add_commendation(audit, text="台帳が整備", user=auditor)

    move_commendation(first, offset=1, user=auditor)

    assert list(audit.commendations.all()) == [second, first]
    delete_commendation(second, user=auditor)
    assert list(Commendation.objects.all()) == [first]
