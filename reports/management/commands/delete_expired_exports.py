"""`manage.py delete_expired_exports` for cron: deletes background report files past
their expiry (EXPORT_KEEP_DAYS). The worker does the same after each export."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reports.jobs import delete_expired


class Command(BaseCommand):
    help = "保存期限を過ぎたダウンロード用ファイルを削除します。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = delete_expired()
        self.stdout.write(f"{count} 件のファイルを削除しました。")
