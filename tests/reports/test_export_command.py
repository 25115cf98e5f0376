"""manage.py export_report: same selection rules as the downloads, atomic output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.reports.conftest import compact, pdf_text


def _files(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_exports_the_seed_audit_as_pdf(seed_audit, tmp_path):
    target = tmp_path / "措置状況.pdf"

    call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(target))

    text = compact(pdf_text(target.read_bytes()))
    assert compact("① サーバ室内の整理整頓について") in text
    assert _files(tmp_path) == ["措置状況.pdf"]  # no temporary file left behind


def test_as_of_in_wareki_and_open_only_are_applied(seed_audit, tmp_path):
    target = tmp_path / "r.pdf"

    call_command(
        "export_report",
        "--audit", str(seed_audit.pk),
        "--as-of", "令和3年9月30日",
        "--open-only",
        "-o", str(target),
    )  # fmt: skip

    text = compact(pdf_text(target.read_bytes()))
    assert "】令和4年" not in text  # no entry dated after the as-of date
    assert compact("① サーバ室内の整理整頓について") in text  # 継続努力 on that date
    assert compact("情報セキュリティ責任者等について") not in text  # already 措置済


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_other_formats_through_their_renderers(seed_audit, tmp_path, fmt):
    target = tmp_path / f"r.{fmt}"

    call_command("export_report", "--fiscal-year", "令和2年度", "--format", fmt, "-o", str(target))

    assert target.stat().st_size > 0


def test_replaces_an_existing_file_whole(seed_audit, tmp_path):
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")

    call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(target))

    assert target.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audit", "999999"], "--audit"),
        (["--audit", "abc"], "--audit"),
        (["--as-of", "2021-02-30"], "--as-of"),
        (["--as-of", "令和3年13月1日"], "--as-of"),
        (["--fiscal-year", "1999"], "--fiscal-year"),
        (["--department", "999999"], "--department"),
        (["--format", "docx"], "docx"),
        (["--user", "nobody"], "nobody"),
    ],
)
def test_bad_arguments_fail_with_a_message_and_no_file(seed_audit, tmp_path, args, message):
    target = tmp_path / "r.pdf"

    with pytest.raises(CommandError) as error:
        call_command("export_report", *args, "-o", str(target))

    assert message in str(error.value)
    assert _files(tmp_path) == []


def test_unwritable_directory_is_refused(seed_audit, tmp_path):
    with pytest.raises(CommandError, match="書き込めません"):
        call_command("export_report", "-o", str(tmp_path / "missing" / "r.pdf"))


def test_nothing_to_report_is_an_error(auditor, tmp_path):
    with pytest.raises(CommandError, match="nothing to report"):
        call_command("export_report", "-o", str(tmp_path / "r.pdf"))
    assert _files(tmp_path) == []


def test_render_failure_leaves_no_partial_file(seed_audit, tmp_path, monkeypatch):
    def explode(report, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("reports.pdf.render_pdf", explode)
    target = tmp_path / "r.pdf"
    with pytest.raises(RuntimeError):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(target))
    assert _files(tmp_path) == []


def test_write_failure_removes_the_temporary_file(seed_audit, tmp_path, monkeypatch):
    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", refuse)
    with pytest.raises(CommandError, match="書き込めませんでした"):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(tmp_path / "r.pdf"))
    assert _files(tmp_path) == []


def test_builds_as_the_given_user_and_their_scope(jinji_staff, finding, jinji_finding, tmp_path):
    target = tmp_path / "r.pdf"

    call_command("export_report", "--user", jinji_staff.username, "-o", str(target))

    text = compact(pdf_text(target.read_bytes()))
    assert compact("人事記録の持ち出しについて") in text
    assert compact("サーバ室内の整理整頓について") not in text


def test_a_date_without_wareki_is_a_message_not_a_traceback(seed_audit, tmp_path):
    with pytest.raises(CommandError, match="条件が正しくありません"):
        call_command("export_report", "--as-of", "1900-01-01", "-o", str(tmp_path / "r.csv"))
    assert _files(tmp_path) == []


def test_a_symlink_as_output_is_refused_and_its_target_untouched(seed_audit, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    link = tmp_path / "r.pdf"
    link.symlink_to(victim)

    with pytest.raises(CommandError, match="シンボリックリンク"):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(link))

    assert link.is_symlink()
    assert victim.read_text() == "keep"


def test_a_dangling_symlink_as_output_is_refused(seed_audit, tmp_path):
    link = tmp_path / "r.pdf"
    link.symlink_to(tmp_path / "nowhere.pdf")
    with pytest.raises(CommandError, match="シンボリックリンク"):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(link))
    assert not (tmp_path / "nowhere.pdf").exists()


def test_a_fifo_as_output_is_refused(seed_audit, tmp_path):
    fifo = tmp_path / "r.pdf"
    os.mkfifo(fifo)
    with pytest.raises(CommandError, match="通常のファイルではありません"):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(fifo))
    assert _files(tmp_path) == ["r.pdf"]


def test_a_socket_as_output_is_refused(seed_audit, tmp_path):
    """Stands for devices too (a test must not risk replacing /dev/null as root)."""
    import socket

    path = tmp_path / "r.pdf"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(CommandError, match="通常のファイルではありません"):
            call_command("export_report", "--audit", str(seed_audit.pk), "-o", str(path))
    assert path.is_socket()


@pytest.mark.parametrize("name", ["", "."])
def test_a_directory_or_empty_name_as_output_is_refused(seed_audit, tmp_path, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="-o|ディレクトリ"):
        call_command("export_report", "--audit", str(seed_audit.pk), "-o", name)
    assert _files(tmp_path) == []


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    environ.update(env)
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, str(root / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=root,
        timeout=120,
    )


def test_manage_py_without_settings_says_what_to_set_instead_of_a_traceback():
    result = _manage("migrate", "--plan")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_with_unreachable_database_gives_a_message():
    result = _manage(
        "migrate", "--plan", DEBUG="1", DATABASE_URL="postgres://nobody@127.0.0.1:1/none"
    )
    assert result.returncode == 1
    assert "データベースを開けません" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_report_argument_errors_exit_non_zero_without_a_traceback():
    result = _manage("export_report", "--format", "docx", "-o", "/nonexistent/r.pdf", DEBUG="1")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
