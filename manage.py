#!/usr/bin/env python
"""Django's command line, with a short message instead of a traceback when the
configuration is missing or the database cannot be reached (pass --traceback to see
the full error)."""

import os
import sys

HINT = (
    "開発・デモでは `make run`（または環境変数 DEBUG=1）を使い、本番では README の"
    "「環境変数」の表にある値を設定してください。"
    " (for development use `make run` or DEBUG=1; in production set the variables listed"
    " in the README's configuration table)"
)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        if "--traceback" in sys.argv:
            raise
        sys.stderr.write(f"設定エラー (configuration error): {error}\n{HINT}\n")
        return 2
    except OperationalError as error:
        if "--traceback" in sys.argv:
            raise
        sys.stderr.write(
            f"データベースを開けません (cannot open the database): {error}\n"
            "DATABASE_URL（未設定なら var/db.sqlite3）とデータベースサーバーの状態を確認してください。"
            " (check DATABASE_URL, or var/db.sqlite3 when it is unset, and the database server)\n"
        )
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        # A bug, not an operator's mistake: still a message, with the way to the details.
        if "--traceback" in sys.argv:
            raise
        sys.stderr.write(
            f"予期しないエラー (unexpected error): {type(error).__name__}: {error}\n"
            "詳細は --traceback を付けて再実行してください。 (rerun with --traceback for details)\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
