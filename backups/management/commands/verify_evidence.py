"""python manage.py verify_evidence: every evidence file is there and unchanged."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from backups.archive import verify_evidence


class Command(BaseCommand):
    help = (
        "証跡ファイルがすべて存在し、登録時のチェックサムと一致するか確認します (verify evidence)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count, problems = verify_evidence(storages["evidence"])
        if problems:
            raise CommandError(
                f"{count} 件中 {len(problems)} 件に問題があります (problems):\n"
                + "\n".join(f"  {line}" for line in problems)
            )
        self.stdout.write(f"証跡ファイル {count} 件: すべて一致しました。 (all {count} match)")
