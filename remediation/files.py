"""Which evidence files are accepted: decided by the bytes, not by the name or the
browser's Content-Type.

Accepted: PDF, PNG, JPEG, GIF, WebP, Office Open XML (docx/xlsx/pptx), legacy Office
(doc/xls/ppt), plain text and CSV. The extension must agree with what the content is.
Everything else is refused, notably executables, HTML and SVG (both can carry script
that a browser would run) and archives. A recognised file is then checked for what it
may not carry (remediation.content_checks: executable code, active PDF content, Office
macros, zip bombs) and, when CLAMAV_SOCKET is set, scanned by ClamAV.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from remediation import clamav
from remediation.content_checks import ArchiveLimits, refuse_dangerous_content
from remediation.services import CheckedFile

logger = logging.getLogger(__name__)

ALLOWED_DESCRIPTION = "PDF、画像（PNG・JPEG・GIF・WebP）、Word・Excel・PowerPoint、テキスト・CSV"
SNIFF_BYTES = 8192

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE2_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
# OOXML: the package's main part folder → (extension, content type).
OOXML_TYPES = {
    "word/": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
# Markup at the start of a "text" file would make it a web page if ever opened inline.
MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")


@dataclass(frozen=True)
class Sniffed:
    extensions: frozenset[str]
    content_type: str
    description: str


def _magic(head: bytes) -> Sniffed | None:
    if head.startswith(b"%PDF-"):
        return Sniffed(frozenset({".pdf"}), "application/pdf", "PDF")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(frozenset({".png"}), "image/png", "PNG画像")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(frozenset({".jpg", ".jpeg"}), "image/jpeg", "JPEG画像")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Sniffed(frozenset({".gif"}), "image/gif", "GIF画像")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed(frozenset({".webp"}), "image/webp", "WebP画像")
    return None


def _ooxml(upload: UploadedFile[bytes]) -> Sniffed | None:
    """A zip is only accepted as an Office document: it must hold [Content_Types].xml
    and the main part folder of Word, Excel or PowerPoint. Only the directory is read,
    nothing is decompressed."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for folder, (extension, content_type) in OOXML_TYPES.items():
        if any(name.startswith(folder) for name in names):
            return Sniffed(frozenset({extension}), content_type, "Office文書")
    return None


def _text(head: bytes, extension: str) -> Sniffed | None:
    if extension not in TEXT_TYPES or b"\x00" in head:
        return None
    # The head may end mid-character: judge all but the last few bytes.
    sample = head[:-4] if len(head) == SNIFF_BYTES else head
    for encoding in ("utf-8", "cp932"):
        try:
            sample.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(MARKUP_STARTS):
        return None
    return Sniffed(frozenset({extension}), TEXT_TYPES[extension], "テキスト")


def check_upload(upload: UploadedFile[bytes]) -> CheckedFile:
    """The upload with its real content type, or ValidationError with a Japanese
    message that names the file."""
    name = PurePosixPath(upload.name or "").name or "（名前なし）"
    extension = PurePosixPath(name).suffix.lower()
    limit = settings.EVIDENCE_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"「{name}」は空のファイルです。", code="empty")
    if size > limit:
        raise ValidationError(
            f"「{name}」は大きすぎます（{_megabytes(size)}）。"
            f"1ファイル{_megabytes(limit)}までにしてください。",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    sniffed = _magic(head)
    if sniffed is None and head.startswith(OLE2_MAGIC):
        content_type = OLE2_TYPES.get(extension, "")
        sniffed = Sniffed(frozenset(OLE2_TYPES), content_type, "Office文書（旧形式）")
    if sniffed is None and head.startswith(b"PK\x03\x04"):
        sniffed = _ooxml(upload)
    if sniffed is None:
        sniffed = _text(head, extension)
    if sniffed is None:
        raise ValidationError(
            f"「{name}」は受け付けられない種類のファイルです。添付できるのは{ALLOWED_DESCRIPTION}です。",
            code="type",
        )
    if extension not in sniffed.extensions:
        expected = "、".join(sorted(sniffed.extensions))
        raise ValidationError(
            f"「{name}」の中身は{sniffed.description}ですが、拡張子が一致しません"
            f"（{expected} にしてください）。",
            code="extension",
        )
    _refuse_unsafe(name, upload, sniffed.content_type)
    return CheckedFile(upload, sniffed.content_type)


def _refuse_unsafe(name: str, upload: UploadedFile[bytes], content_type: str) -> None:
    """Read the whole file once (it is at most EVIDENCE_MAX_BYTES) for the content
    checks and the optional virus scan."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    limits = ArchiveLimits(
        max_uncompressed=settings.EVIDENCE_ARCHIVE_MAX_BYTES,
        max_ratio=settings.EVIDENCE_ARCHIVE_MAX_RATIO,
    )
    refuse_dangerous_content(name, data, content_type, limits)
    address = settings.CLAMAV_SOCKET
    if not address:
        return
    try:
        result = clamav.scan_bytes(data, address, timeout=settings.CLAMAV_TIMEOUT)
    except clamav.ScanFailed:
        logger.exception("virus scan failed for an evidence upload")
        raise ValidationError(
            f"「{name}」のウイルス検査ができなかったため受け付けられません。"
            "しばらくしてからもう一度お試しください。続く場合は管理者に連絡してください。",
            code="scan_failed",
        ) from None
    if not result.clean:
        logger.warning("virus found in an evidence upload: %s", result.signature)
        raise ValidationError(
            f"「{name}」からウイルス（{result.signature}）が検出されたため受け付けられません。",
            code="virus",
        )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, size // 1024)}KB"
    return f"{size / (1024 * 1024):.1f}MB".replace(".0MB", "MB")
