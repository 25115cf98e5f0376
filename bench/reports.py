"""How fast the 措置状況 report renders, on a throwaway database: `make bench`.

Runs against a fresh test database made the way the test runner makes one (an
in-memory SQLite, or `bench_<name>` on the PostgreSQL server that DATABASE_URL names),
never against the developer's database. It loads the demo (seed 000 and 001) through
the project's own loader, then adds synthetic audits with bulk_create: findings and
their append-only entries are plain inserts, and going through the services for
20,000 rows would only time the services.

Figures (targets from the brief):
  seed 000 as PDF                                ≤ 1 s
  500 findings / 1,500 entries as PDF            ≤ 10 s, ≤ 300 MB peak RSS
  5,000 findings / 15,000 entries as Excel, CSV  ≤ 3 s each
with build_report's time and query count beside every render.

Peak memory is the process's maximum resident set (getrusage), read after each PDF:
the PDFs run first, before the 5,000-finding data set exists, so the figure is the
PDF's own peak on top of Django and the demo data.
"""

from __future__ import annotations

import datetime
import gc
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

SEED_PDF_TARGET = 1.0
BIG_PDF_TARGET = 10.0
BIG_PDF_MEMORY_MB = 300
SHEET_TARGET = 3.0

# Text lengths like seed 000's: a finding body of a few hundred characters, an entry of
# one to three sentences.
BODY = (
    "サーバ室内には、サーバが設置されているほかに、作業を行うための職員がいたり、印刷機や"
    "多数の不用となったパソコン、空きダンボール箱などが置かれていたりして、精密機器と人と物が"
    "混在し、雑然とした状況であった。不用なものは廃棄し、機器などの設置場所が誰が見ても一目で"
    "わかるよう整理整頓を行い、サーバ等の精密機器と人と物とが明確に分離されたレイアウトとする"
    "とともに、重要な情報資産に相応しい方法でその管理を行うこと。"
)
ENTRY = (
    "不用なものは廃棄するなど、サーバ室内の整理整頓を行うとともに、CISOおよび統括情報"
    "セキュリティ責任者による現地確認を行い、課題解決に向けた協議を行った。レイアウト変更に"
    "かかる予算については、次年度予算で要求する予定である。"
)
LABELS = "①②③④⑤⑥⑦⑧⑨⑩"


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Clock:
    """Wall-clock and CPU seconds. On a shared machine the wall clock includes waiting
    for a core; the CPU time is what the work itself cost."""

    wall: float
    cpu: float

    def __add__(self, other: Clock) -> Clock:
        return Clock(self.wall + other.wall, self.cpu + other.cpu)

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (cpu {self.cpu:.2f})"


@dataclass
class Figure:
    name: str
    clock: Clock | None = None
    target: float | None = None
    queries: int | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None or self.clock is None:
            return ""
        if self.clock.wall <= self.target:
            return "ok"
        # Over on the wall clock only because the machine was busy: say so.
        return "ok (cpu)" if self.clock.cpu <= self.target else "SLOW"


FIGURES: list[Figure] = []


def timed(fn: Callable[[], Any]) -> tuple[Any, Clock]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, Clock(time.perf_counter() - wall, time.process_time() - cpu)


def build(user: Any, selection: Any) -> tuple[Any, Clock, int]:
    from reports.builder import build_report

    # Each figure starts like a fresh request: no garbage left from the one before.
    gc.collect()
    with CaptureQueriesContext(connection) as queries:
        report, clock = timed(lambda: build_report(user, selection))
    return report, clock, len(queries.captured_queries)


def make_test_database() -> str:
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        test["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def synthetic_audit(theme: str, findings: int, entries_each: int) -> Any:
    """An audit of `findings` top-level findings over 2 kinds × 2 sections × 10
    viewpoints, each with `entries_each` dated entries (検討中 → 継続努力 → 措置済)."""
    from audits.models import AuditKind, Department, User
    from audits.services import add_section, add_viewpoint, create_audit
    from findings.models import Finding, FindingKind
    from findings.search import refresh_search_text
    from remediation.models import RemediationEntry, RemediationStatus

    auditor = User.objects.get(username="kansa")
    staff = User.objects.get(username="ict")
    ict = Department.objects.get(code="ict")
    kinds = list(FindingKind.objects.filter(code__in=["shiteki", "iken"]).order_by("sort_order"))
    audit = create_audit(
        fiscal_year=2023,
        kinds=[AuditKind.objects.get(name="行政監査")],
        theme=theme,
        audited_departments=[ict],
        period_start=datetime.date(2023, 11, 1),
        finding_kinds=kinds,
        user=auditor,
    )
    sections = [
        add_section(audit, number=str(n), title=f"第{n}節の監査の結果", user=auditor)
        for n in (1, 2)
    ]
    viewpoints = [
        add_viewpoint(audit, number=f"({n})", text=f"着眼点{n}は適切か。", user=auditor)
        for n in range(1, 11)
    ]
    rows = []
    for i in range(findings):
        rows.append(
            Finding(
                audit=audit,
                kind=kinds[i % 2],
                section=sections[(i // 2) % 2],
                viewpoint=viewpoints[(i // 4) % 10],
                label=LABELS[i % 10],
                sort_order=i,
                title=f"整理整頓について（{i + 1}）",
                body=BODY,
                created_by=auditor,
            )
        )
    created = Finding.objects.bulk_create(rows, batch_size=1000)
    Finding.departments.through.objects.bulk_create(
        [Finding.departments.through(finding_id=f.pk, department_id=ict.pk) for f in created],
        batch_size=1000,
    )
    statuses = list(RemediationStatus.objects.order_by("-sort_order"))  # 検討中 … 措置済
    rounds = [datetime.date(2024, 3, 31), datetime.date(2024, 9, 30), datetime.date(2025, 3, 31)]
    RemediationEntry.objects.bulk_create(
        [
            RemediationEntry(
                finding=f,
                status=statuses[min(n, len(statuses) - 1)],
                entry_date=rounds[n % 3],
                content=ENTRY,
                author=staff,
                author_department=ict,
            )
            for f in created
            for n in range(entries_each)
        ],
        batch_size=1000,
    )
    # bulk_create passes no service: the search text is filled as the services would.
    refresh_search_text(f.pk for f in created)
    return audit


def pdf_split(report: Any) -> tuple[Clock, Clock, Clock]:
    """render_pdf's time split: template → HTML, WeasyPrint layout, PDF writing."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from reports import pdf

    gc.collect()
    html, template = timed(lambda: pdf.render_html(report))
    font_config = FontConfiguration()
    css = CSS(filename=str(pdf.FONTS_CSS), font_config=font_config)
    document, layout = timed(
        lambda: HTML(string=html, base_url=f"{pdf.STATIC_DIR}/").render(
            stylesheets=[css], font_config=font_config
        )
    )
    _, write = timed(document.write_pdf)
    return template, layout, write


def bench_pdf(user: Any, seed_audit: Any) -> None:
    from reports.builder import Selection

    try:
        from reports.pdf import render_pdf
    except ImportError as error:
        print(f"PDF skipped: reports.pdf is not importable yet ({error}).")
        return

    render_pdf(build(user, Selection(audit_id=seed_audit.pk))[0])  # warm fonts and templates
    report, built, queries = build(user, Selection(audit_id=seed_audit.pk))
    content, rendered = timed(lambda: render_pdf(report))
    FIGURES.append(Figure("seed 000: build_report", built, queries=queries))
    FIGURES.append(
        Figure(
            "seed 000: PDF (build + render)",
            built + rendered,
            SEED_PDF_TARGET,
            note=f"render {rendered}, {len(content) // 1024} KB",
        )
    )

    audit, setup = timed(lambda: synthetic_audit("ベンチマーク 500件", 500, 3))
    print(f"  (500 findings / 1,500 entries inserted in {setup.wall:.1f} s)")
    before = rss_mb()
    report, built, queries = build(user, Selection(audit_id=audit.pk))
    content, rendered = timed(lambda: render_pdf(report))
    peak = rss_mb()
    template, layout, write = pdf_split(report)
    FIGURES.append(Figure("500/1,500: build_report", built, queries=queries))
    FIGURES.append(
        Figure(
            "500/1,500: PDF (build + render)",
            built + rendered,
            BIG_PDF_TARGET,
            note=f"render {rendered}, {len(content) // 1024} KB",
        )
    )
    FIGURES.append(Figure("500/1,500: render 2nd run: template", template))
    FIGURES.append(Figure("500/1,500: render 2nd run: layout", layout))
    FIGURES.append(Figure("500/1,500: render 2nd run: write", write))
    verdict = "ok" if peak <= BIG_PDF_MEMORY_MB else "OVER"
    FIGURES.append(
        Figure(
            "500/1,500: PDF peak RSS",
            note=f"{peak:.0f} MB (limit {BIG_PDF_MEMORY_MB} MB: {verdict}); "
            f"{before:.0f} MB before the PDF",
        )
    )


def bench_sheets(user: Any) -> None:
    from reports.builder import Selection
    from reports.csv_export import render_csv
    from reports.excel import render_xlsx

    audit, setup = timed(lambda: synthetic_audit("ベンチマーク 5000件", 5000, 3))
    print(f"  (5,000 findings / 15,000 entries inserted in {setup.wall:.1f} s)")
    report, built, queries = build(user, Selection(audit_id=audit.pk))
    FIGURES.append(Figure("5,000/15,000: build_report", built, queries=queries))
    for name, render in (("Excel", render_xlsx), ("CSV", render_csv)):
        gc.collect()
        content, rendered = timed(partial(render, report))
        FIGURES.append(Figure(f"5,000/15,000: {name} render only", rendered, SHEET_TARGET))
        FIGURES.append(
            Figure(
                f"5,000/15,000: {name} (build + render)",
                built + rendered,
                SHEET_TARGET,
                note=f"{len(content) // 1024} KB",
            )
        )


def print_table() -> None:
    print()
    print(f"{'measure':<40} {'wall s':>7} {'cpu s':>7} {'target':>7} {'queries':>7}  {'':8} note")
    print("-" * 110)
    for f in FIGURES:
        wall = f"{f.clock.wall:.2f}" if f.clock else ""
        cpu = f"{f.clock.cpu:.2f}" if f.clock else ""
        target = f"≤{f.target:g}" if f.target is not None else ""
        queries = str(f.queries) if f.queries is not None else ""
        print(f"{f.name:<40} {wall:>7} {cpu:>7} {target:>7} {queries:>7}  {f.verdict:8} {f.note}")


def main() -> int:
    from audits.demo import load_demo
    from audits.models import Audit, User

    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"database: {connection.vendor}, load average at start: {load}"
    )
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    make_test_database()
    try:
        _, loaded = timed(load_demo)
        print(f"  (demo data loaded in {loaded.wall:.1f} s)")
        manager = User.objects.get(username="kanri")
        seed = Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")
        bench_pdf(manager, seed)
        bench_sheets(manager)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print_table()
    print(f"load average at the end: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    slow = [f for f in FIGURES if f.verdict == "SLOW"]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
