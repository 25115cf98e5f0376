"""One archive holds everything needed to bring the service back: the database and
every evidence file, with a manifest and checksums.

Layout of the (uncompressed) tar file:

    database.dump | database.sqlite3   pg_dump custom format, or a SQLite online backup
    evidence/<stored name>              each evidence file under the name it is stored as
    manifest.json                       format, time, migrations, counts, every checksum
    SHA256SUMS                          the same checksums for `sha256sum -c`

Evidence rows are append-only, so every row in the database dump still exists when the
files are listed afterwards: the archive always holds the file of every row it holds.
Each file is checked against the SHA-256 recorded at upload while it is copied, and
again when it is restored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "sochi-backup/1"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what (Japanese, then English)."""


@dataclass
class Manifest:
    vendor: str
    database_file: str
    database_sha256: str
    database_size: int
    created_at: str = ""
    migrations: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "created_at": self.created_at,
            "database": {
                "vendor": self.vendor,
                "file": self.database_file,
                "sha256": self.database_sha256,
                "size": self.database_size,
            },
            "migrations": self.migrations,
            "counts": self.counts,
            "evidence": self.evidence,
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"対応していない形式のバックアップです（{data.get('format')!r}）。"
                    f" (unsupported backup format {data.get('format')!r})"
                )
            database = data["database"]
            return cls(
                vendor=database["vendor"],
                database_file=database["file"],
                database_sha256=database["sha256"],
                database_size=database["size"],
                created_at=data["created_at"],
                migrations=data["migrations"],
                counts=data["counts"],
                evidence=data["evidence"],
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupError(
                "manifest.json が読めません。バックアップが壊れています。 (manifest.json unreadable)"
            ) from None

    def sha256sums(self) -> bytes:
        lines = [f"{self.database_sha256}  {self.database_file}"]
        lines += [f"{item['sha256']}  evidence/{item['name']}" for item in self.evidence]
        return ("\n".join(lines) + "\n").encode()


class _HashingReader(io.RawIOBase):
    """Reads through a file while computing its SHA-256 and counting its bytes."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = str(settings_dict.get(key) or "")
        if value:
            env[variable] = value
        else:
            env.pop(variable, None)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} が見つかりません。PostgreSQL のクライアント（postgresql-client）を"
            f"入れてください。 ({command[0]} not found; install postgresql-client)"
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} が失敗しました (failed): {result.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> Path:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        # Custom format: compressed, and pg_restore can load it into any new database.
        _run(
            ["pg_dump", "--format=custom", "--no-password", "--file", str(target)],
            _pg_environment(settings_dict),
        )
        return target
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(str(target))
        try:
            # The online backup API, through Django's own connection (which also reaches
            # an in-memory test database): a consistent copy even while the app writes.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return target
    raise BackupError(f"{connection.vendor} には対応していません。 (unsupported database)")


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name
    return latest


def create_backup(
    output: IO[bytes],
    evidence_storage: Storage,
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> Manifest:
    """Write the archive to output. Raises BackupError, leaving the caller to discard
    the partial output, when a file is missing or differs from its recorded checksum."""
    from findings.models import Finding
    from history.models import LogEntry
    from remediation.models import Evidence, RemediationEntry

    created_at = timezone.now().isoformat()
    with tempfile.TemporaryDirectory(prefix="sochi-backup-") as folder:
        dump = _dump_database(Path(folder))
        manifest = Manifest(
            vendor=connection.vendor,
            database_file=dump.name,
            database_sha256=_sha256_of(dump),
            database_size=dump.stat().st_size,
            created_at=created_at,
            migrations=_migrations(),
        )
        progress(f"データベース (database): {dump.name}, {manifest.database_size:,} バイト")
        problems: list[str] = []
        with tarfile.open(fileobj=output, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            archive.add(dump, arcname=dump.name)
            rows = Evidence.objects.order_by("id").values_list("id", "file", "sha256", "size")
            for pk, name, recorded_sha256, recorded_size in rows.iterator():
                entry = _add_evidence(archive, evidence_storage, pk, name, recorded_size)
                if entry is None:
                    problems.append(f"  #{pk} {name}: ファイルがありません (missing)")
                    continue
                if entry["sha256"] != recorded_sha256:
                    problems.append(f"  #{pk} {name}: チェックサムが登録時と違います (checksum)")
                manifest.evidence.append(entry)
            if problems:
                raise BackupError(
                    "証跡ファイルに問題があるためバックアップを中止しました (evidence problems):\n"
                    + "\n".join(problems)
                )
            manifest.counts = {
                "findings": Finding.objects.count(),
                "entries": RemediationEntry.objects.count(),
                "evidence": len(manifest.evidence),
                "log": LogEntry.objects.count(),
            }
            _add_bytes(archive, "manifest.json", manifest.to_json())
            _add_bytes(archive, "SHA256SUMS", manifest.sha256sums())
    progress(f"証跡ファイル (evidence files): {len(manifest.evidence)} 件")
    return manifest


def _add_evidence(
    archive: tarfile.TarFile, storage: Storage, pk: int, name: str, recorded_size: int
) -> dict[str, Any] | None:
    try:
        size = storage.size(name)
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    with handle:
        reader = _HashingReader(handle)
        info = tarfile.TarInfo(f"evidence/{name}")
        info.size = size
        info.mtime = int(timezone.now().timestamp())
        archive.addfile(info, reader)
    return {"id": pk, "name": name, "sha256": reader.digest.hexdigest(), "size": reader.size}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore -----------------------------------------------------------------------


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(
            f"{path} をバックアップとして開けません: {error} (cannot open the backup)"
        ) from None


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError("manifest.json がありません。 (no manifest.json in the archive)")
    return Manifest.from_json(member.read())


def _safe_evidence_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name or "\x00" in name:
        raise BackupError(f"不正なファイル名 {name!r} があります。 (unsafe name in manifest)")
    return name


def _members(
    archive: tarfile.TarFile, manifest: Manifest
) -> Iterator[tuple[dict[str, Any], IO[bytes]]]:
    for item in manifest.evidence:
        name = _safe_evidence_name(str(item["name"]))
        try:
            handle = archive.extractfile(f"evidence/{name}")
        except KeyError:
            handle = None
        if handle is None:
            raise BackupError(f"証跡ファイル {name} がバックアップにありません。 (missing)")
        yield item, handle


def verify_archive(path: Path) -> Manifest:
    """Check every checksum in the archive without restoring anything."""
    with _open_archive(path) as archive:
        manifest = read_manifest(archive)
        _check_member(archive, manifest.database_file, manifest.database_sha256)
        for item, handle in _members(archive, manifest):
            with handle:
                _check_stream(handle, str(item["sha256"]), f"evidence/{item['name']}")
    return manifest


def _check_member(archive: tarfile.TarFile, name: str, sha256: str) -> None:
    try:
        handle = archive.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise BackupError(f"{name} がバックアップにありません。 ({name} missing)")
    with handle:
        _check_stream(handle, sha256, name)


def _check_stream(handle: IO[bytes], sha256: str, label: str) -> None:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise BackupError(f"{label} のチェックサムが一致しません。 (checksum mismatch)")


def restore_backup(
    path: Path,
    *,
    database: dict[str, Any],
    evidence_storage: Storage,
    progress: Callable[[str], None] = lambda message: None,
) -> Manifest:
    """Restore into a new, empty database and a new evidence location."""
    manifest = verify_archive(path)
    progress(f"チェックサム確認済み (verified): {manifest.created_at} のバックアップ")
    engine = str(database["ENGINE"])
    vendor = "postgresql" if engine.endswith("postgresql") else "sqlite"
    if vendor != manifest.vendor:
        raise BackupError(
            f"このバックアップは {manifest.vendor} のものです。{vendor} には戻せません。"
            f" (a {manifest.vendor} backup cannot be restored into {vendor})"
        )
    with _open_archive(path) as archive:
        if vendor == "postgresql":
            _ensure_empty_postgres(database)
        else:
            _ensure_new_sqlite(Path(str(database["NAME"])))
        for item, handle in _members(archive, manifest):
            name = str(item["name"])
            if evidence_storage.exists(name):
                raise BackupError(
                    f"戻し先に {name} が既にあります。空の保存先を指定してください。"
                    f" ({name} already exists at the target)"
                )
            with handle:
                saved = evidence_storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(f"{name} を同じ名前で保存できませんでした。 (saved as {saved})")
        progress(f"証跡ファイル (evidence files): {len(manifest.evidence)} 件を復元")
        with tempfile.TemporaryDirectory(prefix="sochi-restore-") as folder:
            dump = Path(folder) / manifest.database_file
            member = archive.extractfile(manifest.database_file)
            assert member is not None  # verify_archive found it
            with member, dump.open("wb") as copy:
                shutil.copyfileobj(member, copy, CHUNK)
            if vendor == "postgresql":
                _run(
                    [
                        "pg_restore", "--no-password", "--no-owner", "--no-acl",
                        "--exit-on-error", "--single-transaction",
                        "--dbname", str(database["NAME"]), str(dump),
                    ],
                    _pg_environment(database),
                )  # fmt: skip
            else:
                target = Path(str(database["NAME"]))
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(dump, target)
    progress(f"データベース (database) を復元: {database['NAME']}")
    return manifest


def _ensure_empty_postgres(database: dict[str, Any]) -> None:
    import psycopg

    try:
        with psycopg.connect(
            dbname=str(database["NAME"]),
            user=str(database.get("USER") or "") or None,
            password=str(database.get("PASSWORD") or "") or None,
            host=str(database.get("HOST") or "") or None,
            port=str(database.get("PORT") or "") or None,
        ) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()
    except psycopg.Error as error:
        raise BackupError(
            f"戻し先のデータベース {database['NAME']} に接続できません（先に createdb で"
            f"作成してください）: {error} (cannot connect; create it with createdb first)"
        ) from None
    if tables and tables[0]:
        raise BackupError(
            f"戻し先のデータベース {database['NAME']} は空ではありません。新しいデータベースを"
            f"指定してください。 (target database is not empty)"
        )


def _ensure_new_sqlite(target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise BackupError(
            f"戻し先 {target} が既にあります。新しいファイル名を指定してください。"
            f" ({target} exists; give a new file)"
        )


def verify_evidence(storage: Storage) -> tuple[int, list[str]]:
    """Open every evidence file and compare it with the checksum recorded at upload."""
    from remediation.models import Evidence

    problems: list[str] = []
    count = 0
    rows = Evidence.objects.order_by("id").values_list("id", "file", "sha256")
    for pk, name, sha256 in rows.iterator():
        count += 1
        try:
            with storage.open(name, "rb") as handle:
                digest = hashlib.sha256()
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
        except (FileNotFoundError, OSError):
            problems.append(f"#{pk} {name}: ファイルがありません (missing)")
            continue
        if digest.hexdigest() != sha256:
            problems.append(f"#{pk} {name}: チェックサムが違います (checksum mismatch)")
    return count, problems
