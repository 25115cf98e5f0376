"""Importing past 措置状況 from Excel at full size, on a throwaway database:

    .venv/bin/python bench/imports.py [FINDINGS]          # SQLite in memory
    DATABASE_URL=postgres://… .venv/bin/python bench/imports.py [FINDINGS]   # bench_<name>

Writes a CSV-layout workbook of FINDINGS findings (default 10,000) with three entries
each (30,000 rows) over 10 audits, then times reading it and importing it (one
transaction; findings and entries written in bulk, see imports.services), and a second
import of the same file (nothing new). CPU time is printed beside wall time: on a
shared machine the wall time says as much about the neighbours as about the import.
Target: ≤ 60 s for 10,000 findings / 30,000 entries on PostgreSQL; exit 1 when missed.
"""

from __future__ import annotations

import io
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["MFA_REQUIRED"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

TARGET = 60.0
AUDITS = 10
SECTIONS = 10
DEPARTMENTS = 50
STATUSES = ("検討中", "継続努力", "措置済")


def build_workbook(findings: int) -> bytes:
    from django.contrib.auth.models import Group

    from audits.models import AuditKind, Department, User
    from audits.roles import Role
    from audits.services import ensure_reference_data
    from imports.layout import write_workbook

    ensure_reference_data()
    auditor = User.objects.create(username="bench-auditor", display_name="監査 ベンチ")
    auditor.groups.add(Group.objects.get(name=Role.AUDITOR.value))
    AuditKind.objects.get_or_create(name="行政監査")
    bureau = Department.objects.create(code="bench", name="ベンチ局")
    Department.objects.bulk_create(
        Department(code=f"b{n:04d}", name=f"ベンチ課{n:04d}", parent=bureau, sort_order=n)
        for n in range(DEPARTMENTS)
    )
    rows = []
    per_audit = max(1, findings // AUDITS)
    for n in range(findings):
        audit, index = divmod(n, per_audit)
        section = index % SECTIONS + 1
        finding = [
            2015 + audit % 8,
            "行政監査",
            f"ベンチ監査{audit + 1}",
            "指摘",
            f"{section} 節{section}の監査の結果",
            f"({index + 1})",
            f"件名{n}",
            f"指摘事項{n}の本文。" * 5,
            f"ベンチ局 ベンチ課{n % DEPARTMENTS:04d}",
        ]
        shape = ["", "", "", "", "", ""]
        year = 2016 + audit % 8
        for e, status in enumerate(STATUSES):
            rows.append(
                [
                    *finding,
                    status,
                    f"{year}-0{e + 4}-{(n % 28) + 1:02d}",
                    f"措置{n}-{e}の内容。" * 4,
                    *shape,
                    "",
                    "",
                    "",
                    "",
                ]
            )
    return write_workbook(rows)


def main() -> int:
    from audits.models import User
    from imports.reader import read_workbook
    from imports.services import run_import

    findings = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"database: {connection.vendor}, load average: "
        f"{', '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        test["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    failed = False
    try:
        start = time.perf_counter()
        data = build_workbook(findings)
        print(
            f"  workbook: {findings:,} findings, {findings * 3:,} entries, "
            f"{len(data) / 1024 / 1024:.1f} MB, written in {time.perf_counter() - start:.1f} s"
        )
        user = User.objects.get(username="bench-auditor")
        for label in ("first import", "second import (nothing new)"):
            start, cpu = time.perf_counter(), time.process_time()
            rows = read_workbook(io.BytesIO(data), len(data))
            read, read_cpu = time.perf_counter() - start, time.process_time() - cpu
            result = run_import(rows, user, dry_run=False)
            wall, used = time.perf_counter() - start, time.process_time() - cpu
            assert result.ok, [r.errors for r in result.error_rows[:3]]
            scaled = wall * 10_000 / findings
            verdict = ""
            if label == "first import":
                verdict = "ok" if scaled <= TARGET else "SLOW"
                failed = verdict == "SLOW"
            print(
                f"  {label:<28} {wall:>7.1f}s wall {used:>7.1f}s cpu "
                f"(read {read:.1f}s wall {read_cpu:.1f}s cpu) "
                f"created {result.created} {verdict}"
                + (f" (≈{scaled:.0f}s for 10,000)" if findings != 10_000 else "")
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
