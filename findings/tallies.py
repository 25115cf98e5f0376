"""Counts of findings for the dashboard that do not grow with the data.

On PostgreSQL the triggers of migration 0008 keep YearTally (counted findings per fiscal
year, kept status and due date) and DepartmentTally (per department addressed) as rows
change, whatever writes them; reading them costs the same at a hundred findings and at a
million, where the GROUP BY over the findings took seconds. Elsewhere (SQLite, the demo
and the tests' default) the tables stay empty and `kept()` is False: callers compute.

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


def _read(rows: Iterable[tuple[int, int, int, int]]) -> Tallied:
    tallied: Tallied = defaultdict(dict)
    for key, status, n, late in rows:
        if n:
            tallied[key][status] = (n, late)
    return tallied


def by_fiscal_year(today: datetime.date) -> Tallied:
    """Every counted finding per fiscal year of its audit: one query over a few rows."""
    rows = (
        YearTally.objects.values("fiscal_year", "status_key")
        .annotate(total=Sum("n"), late=Sum("n", filter=Q(due_date__lt=today), default=0))
        .order_by()
        .values_list("fiscal_year", "status_key", "total", "late")
    )
    return _read(rows)


def by_department(today: datetime.date) -> Tallied:
    """Every counted finding per department addressed (once for each)."""
    rows = (
        DepartmentTally.objects.values("department_id", "status_key")
        .annotate(total=Sum("n"), late=Sum("n", filter=Q(due_date__lt=today), default=0))
        .order_by()
        .values_list("department_id", "status_key", "total", "late")
    )
    return _read(rows)


Keyed = Counter[tuple[Any, ...]]


def kept_counts() -> tuple[Keyed, Keyed]:
    """What the tallies hold: ({(fiscal year, status key, due key): n},
    {(department id, status key, due key): n}), empty keys left out."""
    years = Counter(
        {(t.fiscal_year, t.status_key, t.due_date): t.n for t in YearTally.objects.exclude(n=0)}
    )
    departments = Counter(
        {
            (t.department_id, t.status_key, t.due_date): t.n
            for t in DepartmentTally.objects.exclude(n=0)
        }
    )
    return years, departments


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
