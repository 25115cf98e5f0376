"""Counts of findings for the dashboard that do not grow with the data.

On PostgreSQL the triggers of migration 0008 keep YearTally (counted findings per fiscal
year, kept status and due date) and DepartmentTally (per department addressed) as rows
change, whatever writes them; reading them costs the same at a hundred findings and at a
million, where the GROUP BY over the findings took seconds. Elsewhere (SQLite, the demo
and the tests' default) the tables stay empty and `kept()` is False: callers compute.

The rows are changes (+1/-1) the triggers append, so concurrent writers never wait on
one counter row; the readers sum them, and once a table holds FOLD_AT rows more than it has keys the
next read folds each key's rows into one (compact()).

The tallies count what FindingQuerySet.counted() counts (findings with no sub-item), by
the status kept on the finding; `late` is how many of them are past their due date,
whatever their status (the caller sums it over the open statuses only).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from findings.models import DepartmentTally, Finding, YearTally

NO_DUE_DATE = datetime.date(9999, 12, 31)  # the key of findings without a due date
UNREPORTED = 0  # the status key of findings with no accepted entry (未報告)

# Today's copy of migration 0008's fill, for rebuild().
REBUILD_SQL = f"""
INSERT INTO findings_subitemtally (finding_id, children)
SELECT parent_id, COUNT(*) FROM findings_finding WHERE parent_id IS NOT NULL GROUP BY parent_id;
INSERT INTO findings_yeartally (fiscal_year, status_key, due_date, n)
SELECT a.fiscal_year, COALESCE(f.latest_status_id, {UNREPORTED}),
       COALESCE(f.due_date, DATE '{NO_DUE_DATE}'), COUNT(*)
FROM findings_finding f JOIN audits_audit a ON a.id = f.audit_id
WHERE NOT EXISTS (SELECT 1 FROM findings_finding c WHERE c.parent_id = f.id)
GROUP BY 1, 2, 3;
INSERT INTO findings_departmenttally (department_id, status_key, due_date, n)
SELECT l.department_id, COALESCE(f.latest_status_id, {UNREPORTED}),
       COALESCE(f.due_date, DATE '{NO_DUE_DATE}'), COUNT(*)
FROM findings_finding f JOIN findings_finding_departments l ON l.finding_id = f.id
WHERE NOT EXISTS (SELECT 1 FROM findings_finding c WHERE c.parent_id = f.id)
GROUP BY 1, 2, 3;
"""

# {group key: {status key: (findings, of which past their due date)}}
Tallied = dict[int, dict[int, tuple[int, int]]]


def kept() -> bool:
    """Whether the tallies are kept here (the triggers exist on PostgreSQL only)."""
    return connection.vendor == "postgresql"


FOLD_AT = 5_000  # rows beyond one a key past which a read folds them (compact)


def _read(rows: Iterable[tuple[int, ...]]) -> Tallied:
    tallied: Tallied = defaultdict(dict)
    for key, status, n, late in rows:
        if n:
            tallied[key][status] = (n, late)
    return tallied


def _summed(model: type[YearTally | DepartmentTally], key: str, today: datetime.date) -> Tallied:
    """The rows of one tally table summed per key and status: one query over a few rows;
    folds them first when there are FOLD_AT rows more than keys."""
    rows = list(
        model.objects.values(key, "status_key")
        .annotate(
            total=Sum("n"),
            late=Sum("n", filter=Q(due_date__lt=today), default=0),
            unfolded=Count("pk") - Count("due_date", distinct=True),
        )
        .order_by()
        .values_list(key, "status_key", "total", "late", "unfolded")
    )
    if sum(r[4] for r in rows) > FOLD_AT:
        compact()
    return _read(r[:4] for r in rows)


def by_fiscal_year(today: datetime.date) -> Tallied:
    """Every counted finding per fiscal year of its audit."""
    return _summed(YearTally, "fiscal_year", today)


def by_department(today: datetime.date) -> Tallied:
    """Every counted finding per department addressed (once for each)."""
    return _summed(DepartmentTally, "department_id", today)


Keyed = Counter[tuple[Any, ...]]


def _kept(model: type[YearTally | DepartmentTally], key: str) -> Keyed:
    rows = model.objects.values(key, "status_key", "due_date").annotate(total=Sum("n"))
    return Counter(
        {
            (group, status, due): n
            for group, status, due, n in rows.values_list(key, "status_key", "due_date", "total")
            if n
        }
    )


def kept_counts() -> tuple[Keyed, Keyed]:
    """What the tallies hold: ({(fiscal year, status key, due key): n},
    {(department id, status key, due key): n}), keys that sum to 0 left out."""
    return _kept(YearTally, "fiscal_year"), _kept(DepartmentTally, "department_id")


def computed_counts() -> tuple[Keyed, Keyed]:
    """The same counts computed from the findings (the GROUP BYs the tallies replace)."""
    counted = Finding.objects.counted().annotate(
        status_key=Coalesce(F("latest_status_id"), UNREPORTED),
        due_key=Coalesce(F("due_date"), NO_DUE_DATE),
    )
    years = (
        counted.values("audit__fiscal_year", "status_key", "due_key")
        .annotate(n=Count("pk"))
        .values_list("audit__fiscal_year", "status_key", "due_key", "n")
    )
    departments = (
        counted.filter(departments__isnull=False)
        .values("departments__id", "status_key", "due_key")
        .annotate(n=Count("pk"))
        .values_list("departments__id", "status_key", "due_key", "n")
    )
    return (
        Counter({(key, status, due): n for key, status, due, n in years}),
        Counter({(key, status, due): n for key, status, due, n in departments}),
    )


def stale() -> bool:
    """Whether the kept tallies differ from the computed counts (always False where they
    are not kept)."""
    return kept() and kept_counts() != computed_counts()


FOLD_SQL = """
WITH folded AS (DELETE FROM {table} RETURNING {key}, status_key, due_date, n)
INSERT INTO {table} ({key}, status_key, due_date, n)
SELECT {key}, status_key, due_date, SUM(n) FROM folded
GROUP BY {key}, status_key, due_date HAVING SUM(n) <> 0
"""


def compact() -> None:
    """Fold each key's rows into one (one statement a table: rows appended meanwhile are
    not deleted, and a second fold at the same time finds the first's rows gone)."""
    if not kept():
        return
    with connection.cursor() as cursor:
        for table, key in (
            ("findings_yeartally", "fiscal_year"),
            ("findings_departmenttally", "department_id"),
        ):
            cursor.execute(FOLD_SQL.format(table=table, key=key))


@transaction.atomic
def rebuild() -> None:
    """Recompute the tallies from the findings (PostgreSQL; after a bulk load that ran
    with the triggers off, or to repair). The tables are locked against the triggers
    of concurrent writes while they are refilled."""
    if not kept():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "LOCK TABLE findings_yeartally, findings_departmenttally, findings_subitemtally "
            "IN EXCLUSIVE MODE"
        )
        cursor.execute(
            "DELETE FROM findings_yeartally; DELETE FROM findings_departmenttally; "
            "DELETE FROM findings_subitemtally;"
        )
        cursor.execute(REBUILD_SQL)
