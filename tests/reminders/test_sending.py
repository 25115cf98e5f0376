"""Sending: one mail per person per day, dry runs, the command, and the task queue."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from reminders.models import DigestSent
from reminders.services import send_digests
from reminders.tasks import send_daily_digests
from tests.reminders.conftest import AFTER_DEADLINE


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_one_mail_per_person_per_day_and_a_second_run_sends_nothing(round_, people):
    first = send_digests(AFTER_DEADLINE)
    assert sorted(d.user.username for d in first.sent) == [
        "administrator",
        "auditor",
        "ict_staff",
        "jinji_staff",
    ]
    assert len(mail.outbox) == 4
    assert len({tuple(m.to) for m in mail.outbox}) == 4

    second = send_digests(AFTER_DEADLINE)
    assert second.sent == []
    assert len(second.already_sent) == 4
    assert len(mail.outbox) == 4
    assert DigestSent.objects.count() == 4


def test_the_next_day_sends_again(round_, people):
    send_digests(AFTER_DEADLINE)
    send_digests(AFTER_DEADLINE + datetime.timedelta(days=1))
    assert len(mail.outbox) == 8


def test_a_refused_mail_is_not_recorded_and_is_tried_again(round_, people, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, fail_silently=False):
        raise OSError("connection refused")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    run = send_digests(AFTER_DEADLINE)
    assert len(run.failed) == 4
    assert DigestSent.objects.count() == 0
    monkeypatch.undo()
    assert len(send_digests(AFTER_DEADLINE).sent) == 4


def test_people_without_an_address_are_skipped_and_listed(round_, people):
    jinji = people["jinji_staff"]
    jinji.email = ""
    jinji.save(update_fields=["email"])
    output = _run("--today", "2021-10-16", "--dry-run")
    assert "メールアドレスがないため送りません: " in output
    assert "(jinji_staff)" in output.replace("（", "(").replace("）", ")")
    output = _run("--today", "2021-10-16")
    assert not DigestSent.objects.filter(user=jinji).exists()
    assert all("jinji_staff@example.lg.jp" not in m.to for m in mail.outbox)


def test_dry_run_prints_each_digest_and_sends_and_records_nothing(round_, people):
    output = _run("--dry-run", "--today", "2021-10-16")
    assert mail.outbox == []
    assert DigestSent.objects.count() == 0
    assert output.count("宛先: ") == 4
    assert "宛先: 所管課担当の人 <ict_staff@example.lg.jp>（所管課担当）" in output
    assert "サーバ室の整理" in output
    assert "送信予定 4通" in output
    assert "manager@example.lg.jp" not in output


def test_command_sends_and_reports(round_, people):
    output = _run("--today", "2021-10-16")
    assert len(mail.outbox) == 4
    assert "送信 4通" in output
    output = _run("--today", "2021-10-16")
    assert "送信 0通、送信済み 4人" in output


# 2021/10/16 and R3.10.16 are read (the one date parser serves the command line too).
@pytest.mark.parametrize("bad", ["2021-13-01", "yesterday", "", "2021/10/32", "9" * 400])
def test_bad_today_is_a_clear_error(db, bad):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--today", bad)


def test_bad_today_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--dry-run", "--today", "2021-02-30"],
        env={**os.environ, "DEBUG": "1", "DATABASE_URL": ""},
        capture_output=True,
        text=True,
        check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert result.returncode != 0
    assert "YYYY-MM-DD" in result.stderr


def test_enqueue_and_dry_run_together_are_refused(db):
    with pytest.raises(CommandError, match="同時に"):
        _run("--enqueue", "--dry-run")


def test_task_sends_the_digests_through_the_immediate_backend(round_, people):
    result = send_daily_digests.enqueue("2021-10-16")
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {
        "sent": 4,
        "already_sent": 0,
        "no_address": 0,
        "failed": 0,
        "quiet": 1,
    }
    assert len(mail.outbox) == 4


def test_command_enqueue_runs_the_task(round_, people):
    output = _run("--enqueue", "--today", "2021-10-16")
    assert "キューに入れました" in output
    assert len(mail.outbox) == 4


@pytest.mark.parametrize("day", ["0001-01-01", "1989-01-07", "9999-12-31"])
def test_a_day_outside_the_apps_range_is_refused(db, day):
    with pytest.raises(CommandError, match="平成元年1月8日（1989-01-08）から"):
        _run("--today", day)


@pytest.mark.parametrize("edge", ["1989-01-08", "last"])
def test_the_first_and_last_dates_do_not_crash(round_, people, findings, statuses, edge):
    from audits.dates import latest_date

    edge = latest_date().isoformat() if edge == "last" else edge
    from remediation.services import record_entry

    record_entry(
        findings["server"],
        status=statuses["keizoku"],
        entry_date=datetime.date(2021, 10, 1),
        content="対応中です。",
        user=people["ict_staff"],
    )
    output = _run("--dry-run", "--today", edge)
    assert "宛先: 監査担当の人" in output
    assert "送信予定" in output
