"""python manage.py restore BACKUP.tar --database-url postgres://…/sochi_new --evidence-root DIR

Restores a backup made by `manage.py backup` into a NEW, empty database and a new
evidence location, after checking every checksum. --check only verifies the archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups.archive import BackupError, restore_backup, verify_archive
from config.env import database_from_env


class Command(BaseCommand):
    help = "バックアップを新しいデータベースと証跡の保存先に復元します (restore a backup)."
    # Restoring never touches the configured database; it may not even exist yet.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="manage.py backup が作った .tar")
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--database-url", help="戻し先 (new, empty): postgres://user@host:5432/NAME"
        )
        target.add_argument("--sqlite", help="戻し先の SQLite ファイル (new file)")
        parser.add_argument(
            "--evidence-root",
            help="証跡ファイルの戻し先フォルダ（空か未作成）。省略時は設定の保存先 "
            "(default: the configured evidence storage)",
        )
        parser.add_argument(
            "--check", action="store_true", help="復元せずにチェックサムだけ確認 (verify only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"{archive} がありません。 ({archive} is not a file)")
        try:
            if options["check"]:
                manifest = verify_archive(archive)
                self.stdout.write(
                    f"{archive}: 問題ありません（{manifest.created_at}, {manifest.vendor}, "
                    f"証跡 {len(manifest.evidence)} 件）。 (all checksums match)"
                )
                return
            database = self._database(options)
            storage = self._evidence_storage(options.get("evidence_root"))
            manifest = restore_backup(
                archive, database=database, evidence_storage=storage, progress=self._say
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"復元しました（証跡 {len(manifest.evidence)} 件, 措置 {manifest.counts['entries']} 件）。"
            " 新しい DATABASE_URL / EVIDENCE_ROOT で起動し、scripts/db_grants.sql を適用してください。"
            " (restored; point DATABASE_URL / EVIDENCE_ROOT at the new locations)"
        )

    verbosity = 1

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)

    @staticmethod
    def _database(options: dict[str, Any]) -> dict[str, Any]:
        if options.get("sqlite"):
            return {"ENGINE": "django.db.backends.sqlite3", "NAME": Path(options["sqlite"])}
        if not options.get("database_url"):
            raise CommandError(
                "戻し先を --database-url か --sqlite で指定してください。"
                " (give --database-url or --sqlite)"
            )
        try:
            return database_from_env(Path("."), {"DATABASE_URL": options["database_url"]})
        except ImproperlyConfigured as error:
            raise CommandError(f"--database-url: {error}") from None

    @staticmethod
    def _evidence_storage(root: str | None) -> Storage:
        if not root:
            return storages["evidence"]
        folder = Path(root)
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise CommandError(
                f"--evidence-root {folder} はフォルダではありません。 (not a folder)"
            )
        if folder.is_dir() and any(folder.iterdir()):
            raise CommandError(
                f"--evidence-root {folder} は空ではありません。新しいフォルダを指定してください。"
                " (not empty)"
            )
        return FileSystemStorage(location=folder, base_url=None)
