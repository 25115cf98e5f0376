"""`manage.py current_status [--rebuild]`: check (or recompute) the current status kept
on every finding against the one computed from its accepted entries, and on PostgreSQL
the dashboard's tallies (findings.tallies) against the counts computed from findings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from findings import tallies
from remediation.services import rebuild_current_status, stale_current_status


class Command(BaseCommand):
    help = (
        "指摘事項に保持している現在の措置状況を、受理済みの措置から計算した状況と照合します。"
        "--rebuild は計算し直して書き込みます（一括投入の後など）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="計算し直して書き込む")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            fixed = rebuild_current_status()
            tallies.rebuild()
            self.stdout.write(
                f"現在の状況を計算し直しました（食い違い {fixed} 件）。集計も作り直しました。"
            )
            return
        stale = stale_current_status()
        if stale:
            shown = ", ".join(str(pk) for pk in stale[:20])
            raise CommandError(f"現在の状況が措置と食い違う指摘事項が {len(stale)} 件: {shown}")
        if tallies.stale():
            raise CommandError(
                "ダッシュボードの集計が指摘事項と食い違っています（--rebuild で作り直せます）。"
            )
        self.stdout.write("現在の状況と集計はすべて一致しています。")
