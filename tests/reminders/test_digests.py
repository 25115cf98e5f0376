"""What each person's daily digest says, and who gets none."""

from __future__ import annotations

import datetime

from django.core import mail

from remediation.models import ReviewDecision
from remediation.services import record_entry, review_entry
from reminders.digests import DigestPlanner
from reminders.models import DigestKind
from reminders.services import send_digests
from tests.reminders.conftest import AFTER_DEADLINE, DEADLINE


def _mail_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to]


def _submit(finding, user, statuses):
    return record_entry(
        finding,
        status=statuses["keizoku"],
        entry_date=datetime.date(2021, 10, 1),
        content="対応中です。",
        user=user,
    )


def test_staff_digest_lists_their_overdue_findings_with_links(round_, people, findings):
    send_digests(AFTER_DEADLINE)
    (message,) = _mail_to("ict_staff@example.lg.jp")
    body = message.body
    assert "期限超過 2件" in message.subject
    assert "令和3年9月30日現在の照会" in body
    assert "期限を1日超過" in body
    assert "サーバ室の整理" in body and "媒体の持出し" in body
    assert f"https://sochi.example.lg.jp/findings/{findings['server'].pk}/" in body
    assert f"https://sochi.example.lg.jp/rounds/{round_.pk}/" in body
    html = message.alternatives[0]  # type: ignore[attr-defined]
    assert html[1] == "text/html" and "サーバ室の整理" in html[0]


def test_staff_never_see_another_departments_findings(round_, people):
    send_digests(AFTER_DEADLINE)
    (ict_mail,) = _mail_to("ict_staff@example.lg.jp")
    (jinji_mail,) = _mail_to("jinji_staff@example.lg.jp")
    assert "休暇の記録" not in ict_mail.body
    assert "サーバ室の整理" not in jinji_mail.body and "媒体の持出し" not in jinji_mail.body
    assert "休暇の記録" in jinji_mail.body


def test_findings_submitted_or_accepted_are_no_longer_owed(
    round_, people, findings, statuses, auditor
):
    ict_staff = people["ict_staff"]
    _submit(findings["server"], ict_staff, statuses)
    accepted = _submit(findings["media"], ict_staff, statuses)
    review_entry(accepted, decision=ReviewDecision.ACCEPTED, user=auditor)
    send_digests(AFTER_DEADLINE)
    assert _mail_to("ict_staff@example.lg.jp") == []
    assert len(_mail_to("jinji_staff@example.lg.jp")) == 1


def test_due_soon_is_reminded_within_the_setting_and_not_before(round_, people, settings):
    send_digests(DEADLINE - datetime.timedelta(days=4))
    assert _mail_to("ict_staff@example.lg.jp") == []
    send_digests(DEADLINE - datetime.timedelta(days=3))
    (message,) = _mail_to("ict_staff@example.lg.jp")
    assert "期限間近 2件" in message.subject
    assert "期限まであと3日" in message.body

    settings.REMINDER_DAYS_BEFORE = 5
    mail.outbox.clear()
    send_digests(DEADLINE - datetime.timedelta(days=5))
    assert len(_mail_to("ict_staff@example.lg.jp")) == 1


def test_returned_entry_appears_with_its_reason_since_the_last_digest(
    round_, people, findings, statuses, auditor
):
    ict_staff = people["ict_staff"]
    send_digests(AFTER_DEADLINE)
    entry = _submit(findings["server"], ict_staff, statuses)
    review_entry(
        entry, decision=ReviewDecision.RETURNED, reason="写真を添付してください。", user=auditor
    )
    mail.outbox.clear()

    send_digests(AFTER_DEADLINE + datetime.timedelta(days=1))
    (message,) = _mail_to("ict_staff@example.lg.jp")
    assert "差戻し 1件" in message.subject
    assert "差し戻された措置" in message.body
    assert message.body.count("写真を添付してください。") == 2  # in the list and as news
    assert "［差戻し］" in message.body

    mail.outbox.clear()
    send_digests(AFTER_DEADLINE + datetime.timedelta(days=2))
    (later,) = _mail_to("ict_staff@example.lg.jp")
    assert "差し戻された措置" not in later.body  # told once; still owed, so still listed
    assert "写真を添付してください。" in later.body


def test_a_return_already_answered_is_not_news(round_, people, findings, statuses, auditor):
    ict_staff = people["ict_staff"]
    entry = _submit(findings["server"], ict_staff, statuses)
    review_entry(entry, decision=ReviewDecision.RETURNED, reason="不足です。", user=auditor)
    _submit(findings["server"], ict_staff, statuses)
    digest = DigestPlanner(AFTER_DEADLINE).for_user(ict_staff)
    assert digest is not None
    assert digest.returned == []


def test_office_digest_counts_pending_entries_oldest_first_and_overdue_departments(
    round_, people, findings, statuses
):
    ict_staff = people["ict_staff"]
    first = _submit(findings["server"], ict_staff, statuses)
    second = _submit(findings["media"], ict_staff, statuses)
    send_digests(AFTER_DEADLINE)
    for username in ("auditor", "administrator"):
        (message,) = _mail_to(f"{username}@example.lg.jp")
        body = message.body
        assert "審査待ち 2件" in message.subject
        assert "https://sochi.example.lg.jp/review/" in body
        assert body.index(f"/findings/{first.finding_id}/") < body.index(
            f"/findings/{second.finding_id}/"
        )
        # ICT owes nothing now (both submitted); 人事課 still owes one.
        assert "総務部 人事課: 1件" in body
        assert "ICT戦略課: " not in body


def test_managers_and_people_with_nothing_due_get_no_mail(round_, people, auditor):
    send_digests(DEADLINE - datetime.timedelta(days=10))
    assert mail.outbox == []
    send_digests(AFTER_DEADLINE)
    assert _mail_to("manager@example.lg.jp") == []


def test_nothing_at_all_sends_nothing(people):
    run = send_digests(AFTER_DEADLINE)
    assert mail.outbox == []
    assert run.counts()["sent"] == 0


def test_staff_digest_kind_and_summary_are_recorded(round_, people):
    from reminders.models import DigestSent

    send_digests(AFTER_DEADLINE)
    record = DigestSent.objects.get(user=people["ict_staff"])
    assert record.kind == DigestKind.DEPARTMENT
    assert record.summary == "期限超過 2件"
    assert record.day == AFTER_DEADLINE
    assert DigestSent.objects.get(user=people["auditor"]).kind == DigestKind.OFFICE
