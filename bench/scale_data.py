"""Realistic data at the size of a shared service (issue 13): `bench/scale_data.py --findings N`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> bench/scale_data.py --findings 100000

PostgreSQL only, into the database DATABASE_URL names (`make bench-scale` makes a
throwaway one); refuses to run on a database that already holds findings. Migrates,
loads the demo (reference data, demo users, seed 000 and 001), then adds:

- 25 部局 of 8 課 each (200 departments);
- audits of 20 findings over 10 fiscal years, plus one audit of 500 findings;
- 1–3 departments per finding, one 課 (the staff user's) on about 500 findings;
- about 5 % sub-items (a parent in the same audit);
- 0–5 entries per finding (3 on average), 検討中 → 継続努力 → 措置済 over the years after the audit,
  each accepted with an EntryReview row as review_entry writes it, except the newest
  entry of one finding in ten, left submitted; one finding with 30 entries;
- texts of seed length, taken from the seed fixtures.

Audits go in with bulk_create, the rows under them by COPY, a block of audits at a time
so memory stays flat at 1,000,000 findings; the columns the services keep (search text,
current status) are derived in memory before the insert, as the Excel import does, and
checked on a random 2,000 findings against the services' own computation; ANALYZE runs. The time of each step prints. Users for bench/scale.py:
`bench-auditor` (監査担当) and `bench-staff` (所管課担当 of the 500-finding 課), both
with the password in PASSWORD.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

PASSWORD = "bench-scale-2026"
PER_AUDIT = 20
BIG_AUDIT = 500
BUREAUS = 25
SECTIONS_PER_BUREAU = 8
YEARS = 10
FIRST_YEAR = 2015
STAFF_FINDINGS = 500
LONG_HISTORY = 30
BLOCK = 20000  # findings created per round of bulk inserts
BATCH = 5000
THEME_PREFIX = "スケール"


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  {name:<40} {time.perf_counter() - started:8.1f} s", flush=True)


def seed_texts() -> tuple[list[tuple[str, str]], list[str]]:
    """(title, body) of every finding and the content of every entry in the seeds."""
    findings: list[tuple[str, str]] = []
    entries: list[str] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            if item.get("body"):
                findings.append((item.get("title") or "", item["body"]))
            entries.extend(
                e["content"]
                for e in item.get("entries", [])
                if isinstance(e, dict) and e.get("content")
            )
            walk(item.get("children", []))

    for path in sorted((ROOT / "fixtures").glob("audit_*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")).get("findings", []))
    return findings, entries


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def make_users(staff_department: Any, top: Any) -> Any:
    from django.contrib.auth.models import Group

    from audits.models import Membership, User
    from audits.roles import Role

    users = {}
    for username, role, department in (
        ("bench-auditor", Role.AUDITOR, top),
        ("bench-staff", Role.DEPARTMENT_STAFF, staff_department),
    ):
        user = User.objects.create_user(username=username, password=PASSWORD, department=department)
        user.groups.add(Group.objects.get(name=role.value))
        Membership.objects.create(
            user=user, department=department, role=role.value, valid_from=datetime.date(2000, 4, 1)
        )
        users[username] = user
    return users["bench-auditor"]


# The rows of findings and what hangs off them go in by COPY (bulk_create of Django
# objects took 2.5 h for 10^6 findings), with ids taken from the tables' sequences'
# ranges the script owns (the database is new), which are moved past them at the end.
FINDINGS = "findings_finding"
LINKS = "findings_finding_departments"
ENTRIES = "remediation_remediationentry"
REVIEWS = "remediation_entryreview"
COPIED = {
    FINDINGS: [
        "id",
        "label",
        "sort_order",
        "title",
        "body",
        "due_date",
        "created_at",
        "audit_id",
        "parent_id",
        "kind_id",
        "search_text",
        "is_closed",
        "latest_status_id",
        "latest_status_date",
    ],
    LINKS: ["id", "finding_id", "department_id"],
    ENTRIES: [
        "id",
        "entry_date",
        "content",
        "recorded_at",
        "author_id",
        "author_department_id",
        "finding_id",
        "status_id",
    ],
    REVIEWS: ["id", "decision", "reason", "reviewed_at", "entry_id", "reviewer_id"],
}
NOON = datetime.time(12, tzinfo=datetime.UTC)
SEARCH_INDEX = "finding_search_text_trgm"  # findings/migrations/0005
TALLY_TRIGGERS = [  # findings/migrations/0008
    ("findings_finding", "findings_tally_finding"),
    ("findings_finding_departments", "findings_tally_link"),
]


def generate(total: int, rng: random.Random) -> None:
    from django.db import connection

    from audits.models import Audit, AuditKind, Department
    from findings.models import FindingKind
    from findings.search import normalise
    from remediation.models import RemediationStatus

    seeds, entry_texts = seed_texts()
    with step("departments and users"):
        bureaus = Department.objects.bulk_create(
            Department(code=f"sb{b}", name=f"第{b + 1}部局", sort_order=1000 + b)
            for b in range(BUREAUS)
        )
        sections = Department.objects.bulk_create(
            Department(
                code=f"sb{b}-{s}",
                name=f"第{b + 1}部局第{s + 1}課",
                parent=bureau,
                sort_order=s,
            )
            for b, bureau in enumerate(bureaus)
            for s in range(SECTIONS_PER_BUREAU)
        )
        staff_department, others = sections[0].pk, [d.pk for d in sections[1:]]
        auditor = make_users(sections[0], bureaus[0])
    kind = AuditKind.objects.get(name="行政監査")
    finding_kinds = [k.pk for k in FindingKind.objects.order_by("pk")]
    by_name = {s.name: s for s in RemediationStatus.objects.all()}
    chain = [by_name["検討中"], by_name["継続努力"], by_name["継続努力"], by_name["継続努力"]]
    final = by_name["措置済"]
    # One finding in `staff_every` names the staff user's 課 first.
    staff_every = max(1, total // STAFF_FINDINGS)
    sizes = [min(BIG_AUDIT, total)]
    while sum(sizes) < total:
        sizes.append(min(PER_AUDIT, total - sum(sizes)))
    ids = {table: next_id(table) for table in COPIED}
    searchable = functools.lru_cache(maxsize=None)(normalise)
    made = 0
    audit_no = 0
    rounds = {"audits": 0.0, "rows in memory": 0.0, "COPY": 0.0}
    while audit_no < len(sizes):
        block: list[int] = []
        while audit_no < len(sizes) and (not block or sum(block) + sizes[audit_no] <= BLOCK):
            block.append(sizes[audit_no])
            audit_no += 1
        first_audit = audit_no - len(block)
        t = time.perf_counter()
        audits = Audit.objects.bulk_create(
            (
                Audit(
                    fiscal_year=FIRST_YEAR + (first_audit + i) % YEARS,
                    theme=f"{THEME_PREFIX}{first_audit + i}"
                    + (f"（{BIG_AUDIT}件）" if first_audit + i == 0 else ""),
                    period_start=datetime.date(FIRST_YEAR + 1 + (first_audit + i) % YEARS, 2, 1),
                )
                for i in range(len(block))
            ),
            batch_size=BATCH,
        )
        Audit.kinds.through.objects.bulk_create(
            (Audit.kinds.through(audit_id=a.pk, auditkind_id=kind.pk) for a in audits),
            batch_size=BATCH,
        )
        rounds["audits"] += time.perf_counter() - t
        t = time.perf_counter()
        rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COPIED}
        for audit, size in zip(audits, block, strict=True):
            made_at = datetime.datetime.combine(datetime.date(audit.fiscal_year + 1, 2, 1), NOON)
            last_top: int | None = None
            for k in range(size):
                finding_id = ids[FINDINGS]
                ids[FINDINGS] += 1
                title, body = seeds[rng.randrange(len(seeds))]
                sub = last_top is not None and rng.random() < 0.05
                parent = last_top if sub else None
                if not sub:
                    last_top = finding_id
                n = made + k
                chosen = set(rng.sample(others, rng.choice((1, 1, 1, 2, 2, 3))))
                if n % staff_every == 0:
                    chosen = {staff_department, *list(chosen)[:2]}
                for department in chosen:
                    rows[LINKS].append((ids[LINKS], finding_id, department))
                    ids[LINKS] += 1
                # Entries: 検討中 → 継続努力 → (措置済), each accepted as review_entry
                # records it, except the newest of one finding in ten, left submitted.
                count = LONG_HISTORY if n == 1 else rng.choice((0, 1, 2, 3, 3, 4, 4, 5, 5))
                closes = rng.random() < 0.6
                day = datetime.date(audit.fiscal_year + 1, 5, 31)
                texts = [title, body]
                latest = None
                for e in range(count):
                    last = e == count - 1
                    status = final if last and closes else chain[min(e, len(chain) - 1)]
                    content = entry_texts[rng.randrange(len(entry_texts))]
                    at = datetime.datetime.combine(day, NOON)
                    rows[ENTRIES].append(
                        (ids[ENTRIES], day, content, at, None, None, finding_id, status.pk)
                    )
                    if not (last and n % 10 == 3):
                        rows[REVIEWS].append(
                            (ids[REVIEWS], "accepted", "", at, ids[ENTRIES], auditor.pk)
                        )
                        ids[REVIEWS] += 1
                        latest = (status, day)  # dates rise along the chain
                    ids[ENTRIES] += 1
                    texts.append(content)
                    day += datetime.timedelta(days=rng.randrange(120, 400))
                # findings.search.compose_search_text, with each distinct text
                # normalised once (the texts repeat: they come from the seeds).
                search_text = "\n".join(searchable(part) for part in texts if part)
                rows[FINDINGS].append(
                    (
                        finding_id,
                        f"({k % 9 + 1})" if sub else "①②③④⑤⑥⑦⑧⑨⑩"[k % 10],
                        k,
                        title,
                        body,
                        datetime.date(audit.fiscal_year + 2, 3, 31),
                        made_at,
                        audit.pk,
                        parent,
                        finding_kinds[n % len(finding_kinds)],
                        search_text,
                        latest is not None and latest[0].is_closed,
                        latest[0].pk if latest is not None else None,
                        latest[1] if latest is not None else None,
                    )
                )
            made += size
        rounds["rows in memory"] += time.perf_counter() - t
        t = time.perf_counter()
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for table, columns in COPIED.items():
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
        rounds["COPY"] += time.perf_counter() - t
        print(f"    … {made:,} findings", flush=True)
    with connection.cursor() as cursor:
        for table in COPIED:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {ids[table]})")
    for name, seconds in rounds.items():
        print(f"  {name:<40} {seconds:8.1f} s")


def next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        (value,) = cursor.fetchone()
    return int(value)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/scale_data.py needs DATABASE_URL=postgres://… (see its docstring)")
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audits.demo import load_demo
    from findings import tallies
    from findings.models import Finding
    from findings.search import search_texts_of
    from remediation.models import RemediationEntry
    from remediation.services import stale_current_status

    started = time.perf_counter()
    with step("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    if Finding.objects.exists():
        print("The database already holds findings: bench/scale_data.py needs an empty one.")
        return 2
    with step("load_demo"):
        load_demo()
    # The trigram index of the search text is built once at the end: kept up to date row
    # by row it made the COPY of findings ten times slower. So are the dashboard's
    # tallies (findings.tallies): their triggers are off during the load.
    with connection.cursor() as cursor:
        for table, trigger in TALLY_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [SEARCH_INDEX])
        (index_definition,) = cursor.fetchone()
        cursor.execute(f"DROP INDEX {SEARCH_INDEX}")
    generate(args.findings, random.Random(args.seed))
    with step("tallies (findings.tallies.rebuild)"):
        with connection.cursor() as cursor:
            for table, trigger in TALLY_TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        tallies.rebuild()
    with step("build the search text's trigram index"), connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(index_definition)
    with step("ANALYZE"):
        analyze()
    with step("check the derived columns (2,000 findings)"):
        ids = list(Finding.objects.order_by("?").values_list("pk", flat=True)[:2000])
        sample = Finding.objects.filter(pk__in=ids)
        stale = stale_current_status(sample)
        texts = search_texts_of(ids)
        wrong = [f.pk for f in sample.only("pk", "search_text") if texts[f.pk] != f.search_text]
        if stale or wrong:
            print(f"derived in memory but not as the services keep them: {stale[:5]} {wrong[:5]}")
            return 1
    print(
        f"{Finding.objects.count():,} findings, {RemediationEntry.objects.count():,} entries "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
