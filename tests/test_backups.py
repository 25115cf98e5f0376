"""manage.py backup / restore / verify_evidence: everything in one archive, checked on
the way in and on the way out, restored only into new places."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from remediation.models import Evidence
from remediation.services import CheckedFile, attach_evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def reference_data(transactional_db) -> None:
    """pg_dump reads committed rows only, so these tests commit (transactional_db); they
    run after other transactional tests, whose flush removed the rows migrate made."""
    from audits.services import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def with_evidence(reference_data, finding, make_entry) -> list[Evidence]:
    entry = make_entry(finding)
    return [
        attach_evidence(
            entry, CheckedFile(SimpleUploadedFile("報告書.pdf", PDF), "application/pdf")
        ),
        attach_evidence(entry, CheckedFile(SimpleUploadedFile("a.csv", b"a,b\n1,2\n"), "text/csv")),
    ]


@pytest.fixture
def restored_postgres() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _restored_counts(
    tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[list[str], dict[str, int]]:
    """Restore the archive into a new database of this test run's kind; return the
    restore arguments and the restored row counts."""
    if connection.vendor == "postgresql":
        import psycopg

        name = request.getfixturevalue("restored_postgres")
        settings = connection.settings_dict
        url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
        call_command("restore", str(tmp_path / "b.tar"), "--database-url", url,
                     "--evidence-root", str(tmp_path / "restored"), verbosity=0)  # fmt: skip
        with psycopg.connect(
            dbname=name, user=settings["USER"], host=settings["HOST"] or None,
            port=settings["PORT"] or None,
        ) as conn:  # fmt: skip
            counts = {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
                for table in ("remediation_remediationentry", "remediation_evidence")
            }
        return [url], counts
    target = tmp_path / "restored.sqlite3"
    call_command("restore", str(tmp_path / "b.tar"), "--sqlite", str(target),
                 "--evidence-root", str(tmp_path / "restored"), verbosity=0)  # fmt: skip
    with sqlite3.connect(target) as conn:
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("remediation_remediationentry", "remediation_evidence")
        }
    return [str(target)], counts


def test_backup_then_restore_brings_back_rows_and_identical_files(
    with_evidence, evidence_dir, tmp_path, request
):
    archive = tmp_path / "b.tar"
    call_command("backup", "-o", str(archive), verbosity=0)

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        sums = tar.extractfile("SHA256SUMS").read().decode()  # type: ignore[union-attr]
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["evidence"] == 2
    assert {item["sha256"] for item in manifest["evidence"]} == {e.sha256 for e in with_evidence}
    assert all(e.sha256 in sums for e in with_evidence)

    _, counts = _restored_counts(tmp_path, request)

    assert counts == {"remediation_remediationentry": 1, "remediation_evidence": 2}
    assert _files(tmp_path / "restored") == _files(evidence_dir)


def test_backup_refuses_when_an_evidence_file_was_changed(with_evidence, evidence_dir, tmp_path):
    (evidence_dir / with_evidence[0].file.name).write_bytes(b"%PDF-1.4 altered")
    with pytest.raises(CommandError, match="チェックサムが登録時と違います"):
        call_command("backup", "-o", str(tmp_path / "b.tar"), verbosity=0)
    assert list(tmp_path.glob("*.tar*")) == []


def test_backup_refuses_when_an_evidence_file_is_missing(with_evidence, evidence_dir, tmp_path):
    (evidence_dir / with_evidence[1].file.name).unlink()
    with pytest.raises(CommandError, match="ファイルがありません"):
        call_command("backup", "-o", str(tmp_path / "b.tar"), verbosity=0)


def test_verify_evidence_reports_a_changed_file(with_evidence, evidence_dir):
    out = io.StringIO()
    call_command("verify_evidence", stdout=out)
    assert "2 件" in out.getvalue()
    (evidence_dir / with_evidence[0].file.name).write_bytes(b"changed")
    with pytest.raises(CommandError, match="チェックサムが違います"):
        call_command("verify_evidence")


def _tamper(archive: Path, member: str) -> Path:
    """A copy of the archive with one byte of one member changed."""
    copy = archive.with_name("tampered.tar")
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = bytes([data[0] ^ 1]) + data[1:]
            target.addfile(info, io.BytesIO(data))
    return copy


def test_restore_check_finds_a_tampered_evidence_file(with_evidence, tmp_path):
    archive = tmp_path / "b.tar"
    call_command("backup", "-o", str(archive), verbosity=0)
    call_command("restore", str(archive), "--check", stdout=io.StringIO())
    tampered = _tamper(archive, f"evidence/{with_evidence[0].file.name}")

    with pytest.raises(CommandError, match="チェックサムが一致しません"):
        call_command("restore", str(tampered), "--check")
    with pytest.raises(CommandError, match="チェックサムが一致しません"):
        call_command("restore", str(tampered), "--sqlite", str(tmp_path / "n.sqlite3"),
                     "--evidence-root", str(tmp_path / "new"))  # fmt: skip
    assert not (tmp_path / "n.sqlite3").exists()
    assert not (tmp_path / "new").exists()


def test_restore_refuses_places_that_are_not_new(with_evidence, tmp_path):
    archive = tmp_path / "b.tar"
    call_command("backup", "-o", str(archive), verbosity=0)
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("x")
    existing = tmp_path / "old.sqlite3"
    existing.write_bytes(b"")
    other = "--sqlite" if connection.vendor == "sqlite" else "--database-url"
    other_value = str(existing) if connection.vendor == "sqlite" else "postgres://x@127.0.0.1:1/x"

    with pytest.raises(CommandError, match="空ではありません"):
        call_command("restore", str(archive), other, other_value, "--evidence-root", str(used))
    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="既にあります"):
            call_command("restore", str(archive), "--sqlite", str(existing),
                         "--evidence-root", str(tmp_path / "new"))  # fmt: skip
        with pytest.raises(CommandError, match="には戻せません"):
            call_command("restore", str(archive), "--database-url", "postgres://x@h/n",
                         "--evidence-root", str(tmp_path / "new"))  # fmt: skip
    else:
        with pytest.raises(CommandError, match="接続できません"):
            call_command("restore", str(archive), "--database-url", other_value,
                         "--evidence-root", str(tmp_path / "new"))  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.tar", "--check"], "missing.tar がありません"),
        (["not-a-tar.tar", "--check"], "バックアップとして開けません"),
        (["empty.tar", "--check"], "manifest.json がありません"),
        (["wrong-format.tar", "--check"], "対応していない形式"),
        (["empty.tar"], "--database-url か --sqlite"),
        (["empty.tar", "--database-url", "mysql://x/y"], "--database-url"),
    ],
)
def test_restore_bad_arguments_give_a_message(db, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-a-tar.tar").write_bytes(b"hello" * 200)
    with tarfile.open(tmp_path / "empty.tar", "w"):
        pass
    with tarfile.open(tmp_path / "wrong-format.tar", "w") as tar:
        data = json.dumps({"format": "other/9"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match=message):
        call_command("restore", *args)


def test_restore_refuses_a_manifest_naming_a_path_outside_the_folder(db, tmp_path):
    manifest = {
        "format": "sochi-backup/1", "created_at": "", "migrations": {}, "counts": {},
        "database": {"vendor": "sqlite", "file": "database.sqlite3",
                     "sha256": hashlib.sha256(b"").hexdigest(), "size": 0},
        "evidence": [{"id": 1, "name": "../../etc/passwd", "sha256": "0", "size": 1}],
    }  # fmt: skip
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in (
            ("manifest.json", json.dumps(manifest).encode()),
            ("database.sqlite3", b""),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="不正なファイル名"):
        call_command("restore", str(archive), "--check")


def test_backup_output_must_be_a_plain_file_name(db, tmp_path):
    link = tmp_path / "b.tar"
    link.symlink_to(tmp_path / "elsewhere.tar")
    with pytest.raises(CommandError, match="シンボリックリンク"):
        call_command("backup", "-o", str(link))
