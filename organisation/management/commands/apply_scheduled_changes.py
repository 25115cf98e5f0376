from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from organisation.scheduled import apply_due
from organisation.tasks import apply_scheduled_changes


class Command(BaseCommand):
    help = (
        "発効日・発令日が来た組織改編と人事異動を適用します（毎日1回、cron などで実行）。"
        "何度実行しても、適用済のものは二度適用しません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="この日として実行する（YYYY-MM-DD、既定は今日）")
        parser.add_argument(
            "--enqueue", action="store_true", help="適用をタスクキュー（db_worker）に任せる"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date は YYYY-MM-DD で指定してください。") from None
        if options["enqueue"]:
            result = apply_scheduled_changes.enqueue(day.isoformat())
            self.stdout.write(f"{day} の適用をキューに入れました（タスク {result.id}）。")
            return
        reorgs, changes = apply_due(day)
        self.stdout.write(f"組織改編 {reorgs}件、人事異動 {changes}件を適用しました（{day}）。")
