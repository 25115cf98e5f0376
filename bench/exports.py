"""Exports at scale (issue 13): Excel and CSV of 5,000 and 50,000 findings, the PDF of
500 findings / 1,500 entries, and raw WeasyPrint on the same HTML as the yardstick.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sochi bench/exports.py [SIZES...]
    # default sizes: 5000 50000; `--pdf-only` skips the spreadsheets, `--only csv`
    # (or xlsx, pdf, pdf-raw) runs that one export alone

Needs PostgreSQL (the renders run in child processes, which must reach the same
database: an in-memory SQLite cannot be shared). The data goes into a throwaway
`bench_<name>` database, made and dropped the way bench/reports.py does it, with
bulk_create (bench.reports.synthetic_audit). Each export then runs in a fresh child
process, as a worker would serve it, so its peak resident memory (VmHWM, see
own_peak_mb) is the export's own and not the data generator's. Each line prints wall
and CPU seconds, peak MB and the size of the file; the script exits 1 when a target is
missed.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

# (seconds, peak MB) per export, from the issue; None: no target, shown for reference.
TARGETS: dict[tuple[str, int], tuple[float, float]] = {
    ("xlsx", 50000): (15.0, 300.0),
    ("csv", 50000): (5.0, 200.0),
    ("pdf", 500): (8.0, 300.0),
}


def own_peak_mb() -> float:
    """This process's peak resident memory. getrusage's ru_maxrss also keeps the peak of
    the process before exec: the bench's parent, forked holding the data it inserted
    (320 MB after 50,000 findings), which every child then reported as its own. Linux's
    VmHWM belongs to the exec'd program alone."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fmt: str, audit_id: int, username: str) -> dict[str, Any]:
    """One export, in this (child) process: what a request for it costs."""
    import django

    django.setup()
    from audits.models import User
    from findings.models import StatusBasis
    from reports.builder import Selection, build_report, stream_report

    user = User.objects.get(username=username)
    # The working version: the synthetic entries are submitted, not reviewed, and the
    # published one would print every finding as 未報告, without its three entries.
    selection = Selection(audit_id=audit_id, basis=StatusBasis.SUBMITTED)
    wall, cpu = time.perf_counter(), time.process_time()
    size = 0
    if fmt == "csv":
        from reports.csv_export import csv_chunks

        for chunk in csv_chunks(stream_report(user, selection).parts()):
            size += len(chunk)
    elif fmt == "xlsx":
        from reports.excel import render_xlsx

        size = len(render_xlsx(build_report(user, selection)))
    elif fmt == "pdf":
        from reports.pdf import render_pdf

        size = len(render_pdf(build_report(user, selection)))
    elif fmt == "pdf-raw":
        # The yardstick: one WeasyPrint render of the same HTML, in one process.
        from reports.pdf import html_to_pdf, render_html

        size = len(html_to_pdf(render_html(build_report(user, selection))))
    else:
        raise SystemExit(f"unknown format {fmt}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "children_cpu": children.ru_utime + children.ru_stime,
        # ru_maxrss is in kilobytes on Linux; the PDF's worker processes are children.
        "peak_mb": own_peak_mb(),
        "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "bytes": size,
    }


def run_child(fmt: str, audit_id: int, database: str) -> dict[str, Any]:
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, __file__, "--measure", fmt, str(audit_id), "kanri"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure(argv[1], int(argv[2]), argv[3])))
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/exports.py needs DATABASE_URL=postgres://… (see its docstring)")
        return 2
    pdf_only = "--pdf-only" in argv
    only = argv[argv.index("--only") + 1] if "--only" in argv[:-1] else None
    sizes = [int(a) for a in argv if a.isdigit()] or [5000, 50000]
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from audits.demo import load_demo
    from bench.reports import make_test_database, synthetic_audit

    print(f"{os.cpu_count()} CPUs, load average at start: {os.getloadavg()[0]:.1f}")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    database = make_test_database()
    failed = False
    lines: list[str] = []
    try:
        load_demo()
        plan: list[tuple[str, int]] = [("pdf", 500), ("pdf-raw", 500)]
        if not pdf_only:
            plan += [(fmt, n) for n in sizes for fmt in ("csv", "xlsx")]
        if only is not None:
            plan = [(fmt, n) for fmt, n in plan if fmt == only]
        audits: dict[int, int] = {}
        for fmt, n in plan:
            if n not in audits:
                started = time.perf_counter()
                audits[n] = synthetic_audit(f"ベンチマーク {n}件", n, 3).pk
                print(
                    f"  ({n:,} findings / {3 * n:,} entries inserted in "
                    f"{time.perf_counter() - started:.1f} s)"
                )
            connection.close()  # the child reads committed rows through its own connection
            r = run_child(fmt, audits[n], database)
            target = TARGETS.get((fmt, n))
            peak = max(r["peak_mb"], r["children_peak_mb"])
            verdict = ""
            if target is not None:
                ok = r["wall"] <= target[0] and peak <= target[1]
                verdict = f"target ≤{target[0]:g} s ≤{target[1]:g} MB: {'ok' if ok else 'MISSED'}"
                failed |= not ok
            line = (
                f"{fmt:<8} {n:>6,} findings  {r['wall']:6.2f} s (cpu {r['cpu']:6.2f}"
                f" + workers {r['children_cpu']:5.2f})  "
                f"peak {r['peak_mb']:4.0f} MB (workers {r['children_peak_mb']:4.0f} MB)  "
                f"{r['bytes'] / 1e6:7.1f} MB file  {verdict}"
            )
            print(line, flush=True)
            lines.append(line)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print()
    print("\n".join(lines))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
