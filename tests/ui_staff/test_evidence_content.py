"""Evidence files are judged by what they carry: executables, active PDF content,
Office macros and zip bombs are refused, and ClamAV scans them when configured."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from remediation.content_checks import contains_executable
from remediation.files import check_upload
from remediation.models import RemediationEntry
from tests.ui_staff.test_entries import PDF, post_entry  # noqa: F401  (fixture)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def pe_executable() -> bytes:
    """The smallest shape Windows recognises: MZ header, e_lfanew at 0x3C, PE header."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 0x38)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\n$"
    body = bytes(header) + stub
    return body + b"\x00" * (0x80 - len(body)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def ooxml(parts: dict[str, bytes], *, content_types: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            content_types
            or b'<Types><Override ContentType="application/vnd.openxmlformats-'
            b'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra: bytes) -> bytes:
    return ooxml({"word/document.xml": b"<w:document/>", **extra})


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(name: str, data: bytes, code: str) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        check_upload(upload(name, data))
    assert error.value.code == code, error.value.messages
    assert f"「{name}」" in error.value.messages[0]
    return error.value


# --- executables -------------------------------------------------------------------


def test_exe_after_a_fake_pdf_header_is_refused():
    refused("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + pe_executable(), "executable")


def test_exe_appended_to_an_image_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 5000
    refused("photo.png", png + pe_executable(), "executable")


def test_elf_inside_a_pdf_is_refused():
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
    refused("report.pdf", PDF + elf, "executable")


@pytest.mark.parametrize(
    "start",
    [b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xca\xfe\xba\xbe", b"MZ", b"\x7fELF\x01\x01\x01"],
)
def test_executable_magic_at_the_start_is_recognised(start):
    assert contains_executable(start + b"\x00" * 100)


def test_ordinary_bytes_with_mz_are_not_an_executable():
    assert not contains_executable(b"%PDF-1.4 ... MZ ... PE but not a header" * 100)


# --- PDF active content -------------------------------------------------------------


@pytest.mark.parametrize(
    "dictionary",
    [
        b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",
        b"<</OpenAction<</S/JavaScript/JS 5 0 R>>>>",
        b"<< /S /Launch /F (cmd.exe) >>",
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"<< /Type /EmbeddedFile /Length 10 >>",
    ],
)
def test_pdf_with_scripts_or_launch_actions_is_refused(dictionary):
    data = b"%PDF-1.7\n1 0 obj\n" + dictionary + b"\nendobj\ntrailer<<>>\n%%EOF\n"
    error = refused("report.pdf", data, "pdf_active")
    assert "PDF" in error.messages[0]


def test_javascript_hidden_in_a_compressed_object_stream_is_refused():
    hidden = zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
    data = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(hidden)).encode()
        + b" >>\nstream\n"
        + hidden
        + b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    )
    refused("report.pdf", data, "pdf_active")


def test_an_object_stream_that_cannot_be_read_is_refused():
    data = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /Filter /LZWDecode >>\nstream\n\x80\x0b\x60"
        b"\nendstream\nendobj\n%%EOF\n"
    )
    refused("report.pdf", data, "pdf_active")


def test_pdf_that_opens_at_a_page_is_accepted():
    data = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction [3 0 R /Fit] >>\nendobj\n%%EOF\n"
    assert check_upload(upload("report.pdf", data)).content_type == "application/pdf"


def test_a_weasyprint_pdf_with_links_and_fonts_is_accepted():
    from weasyprint import HTML

    html = '<h1>措置状況</h1><p><a href="https://example.jp/">リンク</a></p>' * 50
    data = HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()
    assert check_upload(upload("措置状況.pdf", data)).content_type == "application/pdf"


# --- Office macros ----------------------------------------------------------------


def test_docx_with_a_vba_project_is_refused():
    refused("report.docx", docx(**{"word/vbaProject.bin": OLE2 + b"\x00" * 100}), "macro")


def test_ooxml_with_a_macro_enabled_content_type_is_refused():
    content_types = (
        b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"'
        b"/></Types>"
    )
    data = ooxml({"word/document.xml": b"<w:document/>"}, content_types=content_types)
    refused("report.docx", data, "macro")


def test_xlsx_with_an_excel4_macro_sheet_is_refused():
    data = ooxml(
        {"xl/workbook.xml": b"<workbook/>", "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}
    )
    refused("book.xlsx", data, "macro")


def test_docx_embedding_an_executable_is_refused():
    refused("report.docx", docx(**{"word/embeddings/oleObject1.bin": pe_executable()}), "archive")


@pytest.mark.parametrize("extension", [".doc", ".xls"])
def test_legacy_office_file_with_a_vba_storage_is_refused(extension):
    data = OLE2 + b"\x00" * 500 + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\x00" * 100
    refused(f"old{extension}", data, "macro")


def test_legacy_office_file_without_macros_is_accepted():
    data = OLE2 + b"\x00" * 500 + "WordDocument".encode("utf-16-le") + b"\x00" * 100
    assert check_upload(upload("old.doc", data)).content_type == "application/msword"


def test_plain_docx_is_accepted():
    checked = check_upload(upload("report.docx", docx()))
    assert checked.content_type.endswith("wordprocessingml.document")


# --- archives ------------------------------------------------------------------------


def test_docx_that_unpacks_past_the_size_limit_is_refused(settings):
    settings.EVIDENCE_ARCHIVE_MAX_BYTES = 1024 * 1024
    data = docx(**{"word/media/blank.bin": b"\x00" * (2 * 1024 * 1024)})
    error = refused("bomb.docx", data, "archive")
    assert "展開後のサイズ" in error.messages[0]


def test_docx_with_an_extreme_compression_ratio_is_refused(settings):
    settings.EVIDENCE_ARCHIVE_MAX_RATIO = 10
    data = docx(**{"word/media/blank.bin": b"\x00" * (12 * 1024 * 1024)})
    error = refused("bomb.docx", data, "archive")
    assert "圧縮率" in error.messages[0]


def test_archive_whose_directory_understates_sizes_is_refused():
    """A bomb can declare small sizes; zipfile stops at the declared size and the CRC
    no longer matches, which is refused as a broken archive."""
    data = bytearray(docx(**{"word/media/a.bin": b"\x00" * 100_000}))
    entry = data.rfind(b"PK\x01\x02")  # the last central-directory entry: a.bin
    struct.pack_into("<I", data, entry + 24, 1000)  # uncompressed size
    error = refused("bomb.docx", bytes(data), "archive")
    assert "壊れた" in error.messages[0]


# --- ClamAV ---------------------------------------------------------------------------


class FakeClamd:
    """A Unix-socket server speaking INSTREAM: it reads the chunks and answers."""

    def __init__(self, path: Path, answer: bytes) -> None:
        self.path = path
        self.answer = answer
        self.received = b""
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            assert self._read(connection, 10) == b"zINSTREAM\0"
            while True:
                (length,) = struct.unpack("!I", self._read(connection, 4))
                if length == 0:
                    break
                self.received += self._read(connection, length)
            connection.sendall(self.answer)

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path) -> Iterator[callable]:  # type: ignore[valid-type]
    servers: list[FakeClamd] = []

    def start(answer: bytes) -> FakeClamd:
        path = tmp_path / "clamd.sock"
        server = FakeClamd(path, answer)
        servers.append(server)
        settings.CLAMAV_SOCKET = str(path)
        settings.CLAMAV_TIMEOUT = 5
        return server

    yield start
    for server in servers:
        server.close()


def test_clean_file_passes_the_virus_scan_and_is_sent_whole(clamd):
    server = clamd(b"stream: OK\0")
    data = PDF + b"%" + b"x" * 100_000 + b"\n"
    check_upload(upload("report.pdf", data))
    server.close()
    assert server.received == data


def test_infected_file_is_refused_with_the_signature(clamd):
    clamd(b"stream: Eicar-Test-Signature FOUND\0")
    error = refused("report.pdf", PDF, "virus")
    assert "Eicar-Test-Signature" in error.messages[0]


def test_unreachable_scanner_refuses_the_upload(settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "missing.sock")
    refused("report.pdf", PDF, "scan_failed")


def test_scanner_error_answer_refuses_the_upload(clamd):
    clamd(b"INSTREAM size limit exceeded. ERROR\0")
    refused("report.pdf", PDF, "scan_failed")


def test_no_scan_when_clamav_is_not_configured(settings):
    settings.CLAMAV_SOCKET = ""
    assert check_upload(upload("report.pdf", PDF)).content_type == "application/pdf"


# --- the form -----------------------------------------------------------------------


def test_form_shows_the_refusal_beside_the_field(post_entry, ict_staff, finding):  # noqa: F811
    data = b"%PDF-1.4\n" + pe_executable()
    html = post_entry(ict_staff, files=[upload("setup.pdf", data)]).content.decode()
    assert (
        'id="id_evidence_error" role="alert"><p class="field__error">「setup.pdf」には実行ファイル'
        in html
    )
    assert not RemediationEntry.objects.exists()
