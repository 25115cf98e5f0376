"""`manage.py send_reminders [--dry-run] [--today YYYY-MM-DD] [--enqueue]` for cron."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audits.dates import command_date
from audits.roles import role_of
from reminders.services import DigestRun, build_message, send_digests
from reminders.tasks import send_daily_digests


class Command(BaseCommand):
    help = (
        "その日の督促メール（1人1日1通のまとめ）を送ります。--dry-run は送らず記録もせず、"
        "内容を表示します。--enqueue はタスクキューに入れ、db_worker が送ります。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="送らずに内容を表示する")
        parser.add_argument(
            "--today",
            type=command_date("--today"),
            default=None,
            help="対象日（YYYY-MM-DD、既定は今日）",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="送信をタスクキュー（db_worker）に任せる"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: datetime.date = options["today"] or timezone.localdate()
        if options["enqueue"]:
            if options["dry_run"]:
                raise CommandError("--enqueue と --dry-run は同時に指定できません。")
            result = send_daily_digests.enqueue(day.isoformat())
            self.stdout.write(
                f"{day:%Y-%m-%d} の督促メールをキューに入れました（タスク {result.id}）。"
            )
            return
        run = send_digests(day, dry_run=options["dry_run"])
        self._report(run)
        if run.failed:
            raise CommandError(f"{len(run.failed)}件のメールを送れませんでした（ログを参照）。")

    def _report(self, run: DigestRun) -> None:
        out = self.stdout
        if run.dry_run:
            out.write(f"【試行】{run.day:%Y-%m-%d} の督促メール（送信も記録もしません）")
            for digest in run.sent:
                message = build_message(digest)
                role = role_of(digest.user)
                out.write("")
                out.write("=" * 72)
                out.write(f"宛先: {digest.user} <{digest.address}>（{role}）")
                out.write(f"件名: {message.subject}")
                out.write("-" * 72)
                out.write(str(message.body).rstrip("\n"))
            out.write("")
        for digest in run.no_address:
            out.write(
                f"メールアドレスがないため送りません: {digest.user}（{digest.user.username}）"
                f" — {digest.summary}"
            )
        for user in run.already_sent:
            out.write(f"この日の分は送信済みです: {user}（{user.username}）")
        for digest, error in run.failed:
            out.write(f"送信できませんでした: {digest.user}（{digest.user.username}） — {error}")
        verb = "送信予定" if run.dry_run else "送信"
        out.write(
            f"{verb} {len(run.sent)}通、送信済み {len(run.already_sent)}人、"
            f"アドレスなし {len(run.no_address)}人、お知らせなし {len(run.quiet)}人"
        )
