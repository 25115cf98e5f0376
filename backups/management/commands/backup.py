"""python manage.py backup -o /backup/sochi-2026-11-29.tar

The database (pg_dump custom format, or a SQLite online backup) and every evidence
file, with a manifest and checksums, in one archive written atomically.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.archive import BackupError, create_backup
from config.commandline import atomic_output, checked_output_path


class Command(BaseCommand):
    help = "データベースと証跡ファイルを1つのアーカイブにバックアップします (back up everything)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="出力先 .tar (output file)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        target = checked_output_path(options["output"])
        try:
            with atomic_output(target) as handle:
                manifest = create_backup(handle, storages["evidence"], progress=self._say)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{target} にバックアップしました（{manifest.vendor}, 証跡 "
            f"{len(manifest.evidence)} 件, 措置 {manifest.counts['entries']} 件）。 (wrote {target})"
        )

    verbosity = 1

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
