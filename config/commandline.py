"""What every management command shares: a checked output path and an atomic write.

An output file is written to a temporary file in the same directory and renamed over
the target, so readers see the old file or the whole new one and a failure leaves
nothing behind. Only a regular file (or nothing) may stand at the target: a symlink,
FIFO, device or directory is refused rather than replaced or written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import CommandError


def checked_output_path(raw: str | os.PathLike[str] | None, *, option: str = "-o") -> Path:
    """The target as given (not resolved: a symlink must be seen as one), or
    CommandError saying what is wrong with it."""
    text = os.fspath(raw) if raw is not None else ""
    if not text.strip():
        raise CommandError(
            f"{option} に出力先のファイル名を指定してください。 ({option} needs a file name)"
        )
    if "\x00" in text:
        raise CommandError(f"出力先 {text!r} は使えない文字を含みます。 (invalid file name)")
    target = Path(text).expanduser()
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise CommandError(
            f"出力先 {target} を確認できません: {error.strerror} (cannot inspect {target})"
        ) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise CommandError(
                f"出力先 {target} はシンボリックリンクです。リンク先ではなく通常のファイル名を"
                f"指定してください。 ({target} is a symlink; refused)"
            )
        if stat.S_ISDIR(info.st_mode):
            raise CommandError(
                f"出力先 {target} はディレクトリです。ファイル名を指定してください。"
                f" ({target} is a directory; give a file name)"
            )
        if not stat.S_ISREG(info.st_mode):
            raise CommandError(
                f"出力先 {target} は通常のファイルではありません（FIFO・デバイスなど）。"
                f" ({target} is not a regular file; refused)"
            )
    directory = target.parent
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        raise CommandError(
            f"出力先のディレクトリ {directory.resolve()} がないか、書き込めません。"
            f" (cannot write to directory {directory.resolve()})"
        )
    return target


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces target only when the block ends
    without an error. target must come from checked_output_path."""
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise CommandError(
            f"出力先のディレクトリ {target.parent} に一時ファイルを作れません: {error.strerror}"
            f" (cannot create a temporary file beside {target})"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise CommandError(
            f"{target} に書き込めませんでした: {error.strerror} (could not write {target})"
        ) from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_atomically(target: Path, content: bytes) -> None:
    with atomic_output(target) as handle:
        handle.write(content)


_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正"}
_FY_FULLWIDTH = str.maketrans("０１２３４５６７８９ＲＨＳＴｒｈｓｔ", "0123456789RHSTrhst")


def parse_fiscal_year_argument(raw: str, *, option: str) -> int:
    """A fiscal year as people type it on a command line: 2014, 平成26, 平成26年度, H26,
    R元 (full-width digits too). CommandError saying what is accepted otherwise."""
    from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
    from audits.wareki import parse_fiscal_year

    text = raw.strip().translate(_FY_FULLWIDTH)
    year: int | None = None
    if text.isdigit() and len(text) == 4:
        year = int(text)
    else:
        if text[:1].upper() in _ERA_LETTERS:
            text = _ERA_LETTERS[text[:1].upper()] + text[1:]
        if not text.endswith("年度"):
            text += "年度"
        try:
            year = parse_fiscal_year(text)
        except ValueError:
            year = None
    if year is None or not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise CommandError(
            f"{option} {raw!r} は年度として読めません。2014、平成26、H26 のように指定してください"
            f"（{MIN_FISCAL_YEAR}～{MAX_FISCAL_YEAR}年度）。"
            f" ({option} {raw!r} is not a fiscal year; give e.g. 2014, 平成26 or H26)"
        )
    return year
