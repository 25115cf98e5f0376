"""How fast the everyday pages answer as the data grows: `python bench/pages.py [FINDINGS]`.

On a throwaway database made the way the test runner makes one (an in-memory SQLite,
or `bench_<name>` on the PostgreSQL server DATABASE_URL names). Audits, findings,
entries and their reviews are bulk inserts (the services would only time themselves);
the current status kept on each finding is then filled by rebuild_current_status, as
after any bulk load. Each page is fetched 5 times in-process as an auditor (Django's
test client, no server): the median time, the HTML size and the query count print.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

FINDINGS = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
PER_AUDIT = 20
DEPARTMENTS = 200
YEARS = 10
RUNS = 5


def make_data() -> object:
    from django.contrib.auth.models import Group

    from audits.models import Audit, AuditKind, Department, Membership, User
    from audits.roles import Role
    from findings.models import Finding, FindingKind
    from remediation.models import EntryReview, RemediationEntry, RemediationStatus
    from remediation.services import rebuild_current_status

    top = Department.objects.create(code="top", name="総務部")
    departments = Department.objects.bulk_create(
        Department(code=f"d{n}", name=f"課{n}", parent=top) for n in range(DEPARTMENTS)
    )
    auditor = User.objects.create_user(username="bench-auditor", department=top)
    auditor.groups.add(Group.objects.get(name=Role.AUDITOR.value))
    Membership.objects.create(
        user=auditor, department=top, role=Role.AUDITOR.value, valid_from=datetime.date(2000, 4, 1)
    )
    kind = AuditKind.objects.get(name="行政監査")
    audits = Audit.objects.bulk_create(
        Audit(
            fiscal_year=2015 + n % YEARS,
            theme=f"テーマ{n}",
            period_start=datetime.date(2016 + n % YEARS, 2, 1),
        )
        for n in range(FINDINGS // PER_AUDIT)
    )
    Audit.kinds.through.objects.bulk_create(
        Audit.kinds.through(audit_id=a.pk, auditkind_id=kind.pk) for a in audits
    )
    kinds = list(FindingKind.objects.all())
    findings = Finding.objects.bulk_create(
        (
            Finding(
                audit=audits[n // PER_AUDIT],
                kind=kinds[n % len(kinds)],
                label=str(n % PER_AUDIT),
                sort_order=n,
                title=f"件名{n}",
                body="不用なものは廃棄し、整理整頓を行うこと。" * 8,
                due_date=datetime.date(2017 + n % YEARS, 3, 31),
            )
            for n in range(FINDINGS)
        ),
        batch_size=2000,
    )
    Finding.departments.through.objects.bulk_create(
        (
            Finding.departments.through(finding_id=f.pk, department_id=departments[n % 200].pk)
            for n, f in enumerate(findings)
        ),
        batch_size=5000,
    )
    statuses = list(RemediationStatus.objects.order_by("-sort_order"))  # 検討中 … 措置済
    entries = RemediationEntry.objects.bulk_create(
        (
            RemediationEntry(
                finding=f,
                status=statuses[min(k, len(statuses) - 1)],
                entry_date=datetime.date(2017 + n % YEARS, 9, 30) + datetime.timedelta(days=k),
                content="整理整頓を行った。",
            )
            for n, f in enumerate(findings)
            for k in range(n % 4)
        ),
        batch_size=5000,
    )
    EntryReview.objects.bulk_create(
        (EntryReview(entry=e, decision="accepted") for e in entries), batch_size=5000
    )
    analyze()  # fresh tables have no statistics: the rebuild's plan needs them
    rebuild_current_status()
    analyze()
    return auditor


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


PAGES = [
    ("finding list, page 1", "/findings/", {}),
    ("finding list, 未措置", "/findings/", {"status": "open"}),
    ("finding list, by status date", "/findings/", {"o": "-status_date"}),
    ("audit list", "/audits/", {}),
    ("dashboard", "/dashboard/", {}),
    ("report form (empty)", "/reports/", {}),
]


def main() -> None:
    from django.conf import settings

    setup_test_environment()
    settings.MFA_REQUIRED = False  # force_login signs in without the second factor
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        test["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    started = time.perf_counter()
    auditor = make_data()
    print(
        f"{connection.vendor}: {FINDINGS} findings, {FINDINGS // PER_AUDIT} audits, "
        f"{DEPARTMENTS} departments (made in {time.perf_counter() - started:.1f} s)"
    )
    client = Client()
    client.force_login(auditor)  # type: ignore[arg-type]
    for name, url, params in PAGES:
        times, size, queries = [], 0, 0
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, params)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
            size, queries = len(response.content), len(captured.captured_queries)
        print(
            f"  {name:32} {1000 * statistics.median(times):8.0f} ms"
            f"  {size / 1024:8.0f} KB  {queries:3} queries"
        )


if __name__ == "__main__":
    main()
