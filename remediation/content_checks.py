"""What an evidence file may not carry, whatever type it claims: executable code,
active PDF content, Office macros, or an archive that unpacks to far more than it
weighs (a zip bomb).

Each check reads the bytes itself; none trusts the name, the browser's Content-Type or
the sizes an archive declares. Every refusal is a ValidationError with a Japanese
message that names the file, shown beside the upload field.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError

# --- executables -------------------------------------------------------------------

# ELF: magic, class (32/64 bit), byte order, version 1. Seven fixed bytes make a false
# match inside compressed data practically impossible.
_ELF = re.compile(rb"\x7fELF[\x01\x02][\x01\x02]\x01")
# Mach-O (32/64 bit, both byte orders) and universal binaries: only at the start,
# where four bytes are a real signature rather than chance.
_MACHO_STARTS = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_DOS_STUB = b"This program cannot be run in DOS mode"
# A PE header sits at the offset stored at 0x3C of the MZ header; real ones are
# within the first few hundred bytes, loaders accept a little more.
_MAX_PE_OFFSET = 0x10000


def _has_pe(data: bytes) -> bool:
    """An MZ header anywhere whose e_lfanew points at "PE\\0\\0": the shape Windows
    loads, found after a fake PDF header or appended to an image just as at 0."""
    start = data.find(b"MZ")
    while start != -1:
        offset_at = start + 0x3C
        if offset_at + 4 <= len(data):
            (pe_offset,) = struct.unpack_from("<I", data, offset_at)
            header = start + pe_offset
            if 0x40 <= pe_offset < _MAX_PE_OFFSET and data[header : header + 4] == b"PE\0\0":
                return True
        start = data.find(b"MZ", start + 1)
    return False


def contains_executable(data: bytes) -> bool:
    if data.startswith(_MACHO_STARTS) or data.startswith(b"MZ"):
        return True
    return _has_pe(data) or _DOS_STUB in data or _ELF.search(data) is not None


# --- PDF -----------------------------------------------------------------------------

# Names that make a reader run something: scripts, launching programs, embedded files
# (which may be executables), Flash and XFA forms (which carry scripts).
_PDF_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "外部プログラムの起動（Launch）",
    b"EmbeddedFile": "埋め込みファイル",
    b"RichMedia": "埋め込みメディア（RichMedia）",
    b"XFA": "XFAフォーム",
}
_PDF_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]{1,64})")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
_PDF_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
# Inflating object streams is bounded, so a PDF cannot be a zip bomb either.
_PDF_MAX_INFLATED = 64 * 1024 * 1024


def _pdf_names(data: bytes) -> Iterator[bytes]:
    for match in _PDF_NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            # /J#61vaScript is /JavaScript to a reader.
            name = _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        yield name


def _pdf_object_streams(data: bytes) -> Iterator[bytes | None]:
    """The inflated content of each object stream (where PDF 1.5+ hides dictionaries
    in compressed form), or None for one that cannot be read."""
    budget = _PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        dictionary = data[max(0, match.start() - 2048) : match.start()]
        dictionary = dictionary[dictionary.rfind(b"obj") + 3 :]
        if not _PDF_OBJECT_STREAM.search(dictionary):
            continue
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end if end != -1 else len(data)]
        filters = _PDF_FILTER.search(dictionary)
        if filters is None:
            yield raw
            continue
        if filters.group(1).strip(b"[] ") != b"/FlateDecode":
            yield None
            continue
        try:
            inflater = zlib.decompressobj()
            inflated = inflater.decompress(raw, budget)
        except zlib.error:
            yield None
            continue
        budget -= len(inflated)
        if budget <= 0:
            yield None
            return
        yield inflated


def pdf_active_content(data: bytes) -> str | None:
    """What active content the PDF carries (in Japanese), or None."""
    sources: list[bytes] = [data]
    for inflated in _pdf_object_streams(data):
        if inflated is None:
            return "読み取れない圧縮オブジェクト"
        sources.append(inflated)
    for source in sources:
        for name in _pdf_names(source):
            found = _PDF_ACTIVE_NAMES.get(name)
            if found:
                return found
    return None


# --- Office macros -------------------------------------------------------------------

# OLE2 directory entries name their streams in UTF-16LE: the VBA project of Word
# (Macros/VBA/_VBA_PROJECT), Excel (_VBA_PROJECT_CUR) and PowerPoint.
_OLE_VBA_MARKERS = ("_VBA_PROJECT".encode("utf-16-le"),)
_OOXML_MACRO_PARTS = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml)$|(^|/)(macrosheets|activeX)/", re.IGNORECASE
)
_OOXML_MACRO_TYPES = (b"macroenabled", b"vnd.ms-office.vbaproject", b"vnd.ms-excel.intl-macro")


def ole_has_macros(data: bytes) -> bool:
    return any(marker in data for marker in _OLE_VBA_MARKERS)


# --- archives -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveLimits:
    max_uncompressed: int
    max_ratio: int
    max_members: int = 10_000


def _archive_problem(data: bytes, limits: ArchiveLimits) -> str | None:
    """Why the zip (an OOXML package) is refused, or None. Sizes are counted while
    inflating, not taken from the archive's directory, which a bomb can fake; zipfile
    also stops each member at its declared size and checks its CRC."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "壊れた圧縮ファイル"
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            return f"中のファイルが多すぎます（{len(members):,}個）"
        declared = sum(member.file_size for member in members)
        if declared > limits.max_uncompressed:
            return "展開後のサイズが大きすぎます"
        ratio_floor = max(len(data), 1024 * 1024)
        total = 0
        for member in members:
            if _OOXML_MACRO_PARTS.search(member.filename):
                return "マクロ"
            try:
                with archive.open(member) as handle:
                    head = b""
                    while chunk := handle.read(1024 * 1024):
                        if not head:
                            head = chunk[:65536]
                        total += len(chunk)
                        if total > limits.max_uncompressed:
                            return "展開後のサイズが大きすぎます"
                        if total > ratio_floor * limits.max_ratio:
                            return "圧縮率が異常に高い（zip爆弾の疑い）"
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                return "壊れた圧縮ファイル"
            except RuntimeError:  # encrypted member
                return "暗号化された圧縮ファイル"
            if member.filename == "[Content_Types].xml":
                if any(kind in head.lower() for kind in _OOXML_MACRO_TYPES):
                    return "マクロ"
            elif contains_executable(head):
                return "実行ファイル"
            elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and ole_has_macros(head):
                return "マクロ"
    return None


# --- the entry point ------------------------------------------------------------------


def refuse_dangerous_content(
    name: str, data: bytes, content_type: str, limits: ArchiveLimits
) -> None:
    """Raise ValidationError when the file, already recognised as content_type, carries
    something an evidence file must not."""
    if contains_executable(data):
        raise ValidationError(
            f"「{name}」には実行ファイル（プログラム）が含まれているため受け付けられません。",
            code="executable",
        )
    if content_type == "application/pdf":
        found = pdf_active_content(data)
        if found:
            raise ValidationError(
                f"「{name}」は{found}を含むPDFのため受け付けられません。"
                "印刷機能などで通常のPDFに変換してから添付してください。",
                code="pdf_active",
            )
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if ole_has_macros(data):
            raise _macro_error(name)
    elif data.startswith(b"PK\x03\x04"):
        problem = _archive_problem(data, limits)
        if problem == "マクロ":
            raise _macro_error(name)
        if problem:
            raise ValidationError(f"「{name}」は受け付けられません（{problem}）。", code="archive")


def _macro_error(name: str) -> ValidationError:
    return ValidationError(
        f"「{name}」はマクロを含むOffice文書のため受け付けられません。"
        "マクロを含まない形式（.docx・.xlsx・.pptx など）で保存し直してください。",
        code="macro",
    )
