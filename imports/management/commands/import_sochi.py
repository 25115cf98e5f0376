"""python manage.py import_sochi FILE.xlsx [--dry-run] [--user USERNAME]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.models import User
from audits.roles import Role
from imports.reader import ImportFileError, read_workbook
from imports.services import ERROR, NEW, PRESENT, run_import


class Command(BaseCommand):
    help = "CSV の様式の Excel（.xlsx）から過去の措置状況を取り込む（--dry-run で確認のみ）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="取り込む .xlsx ファイル")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして何も書き込まない")
        parser.add_argument(
            "--user", help="記録者とする利用者（管理者か監査担当）。省略時は最初の管理者"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ファイル {path} がありません。")
        user = self._user(options.get("user"))
        try:
            with path.open("rb") as stream:
                rows = read_workbook(stream, path.stat().st_size)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        result = run_import(rows, user, dry_run=options["dry_run"])
        for row in rows:
            for note in row.notes:
                self.stdout.write(f"{row.line}行目（注意）: {note}")
        for row in result.error_rows:
            for message in row.errors:
                self.stderr.write(f"{row.line}行目: {message}")
        self.stdout.write(
            f"行数 {len(rows)}: 取り込む {result.count(NEW)}、登録済み {result.count(PRESENT)}、"
            f"エラー {result.count(ERROR)}"
        )
        if not result.ok:
            raise CommandError("エラーのある行があるため、何も取り込んでいません。")
        if result.written:
            created = "、".join(f"{k} {v}件" for k, v in result.created.items())
            self.stdout.write(f"取り込みました（新規: {created}）。")
        else:
            self.stdout.write("確認のみ（--dry-run）: 何も書き込んでいません。")

    def _user(self, username: str | None) -> User:
        allowed = [Role.ADMINISTRATOR.value, Role.AUDITOR.value]
        users = User.objects.filter(is_active=True, groups__name__in=allowed)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(
                    f"利用者「{username}」は管理者・監査担当として登録されていません。"
                )
            return user
        user = users.filter(groups__name=Role.ADMINISTRATOR.value).order_by("pk").first()
        if user is None:
            raise CommandError("管理者が登録されていません。--user で利用者を指定してください。")
        return user
