"""A self-inspection round at full size, on a throwaway database:

    .venv/bin/python bench/inspections.py          # SQLite in memory
    DATABASE_URL=postgres://… .venv/bin/python bench/inspections.py   # bench_<name>

500 departments × 60 items (30,000 answers, one in ten a 課題). The checklist and the
round go through the services; the responses and answers are bulk inserts (timing the
services 30,000 times would only time the services). Then the three pages are fetched
as the audit office would, each twice (the second is what a user waiting sees once the
process is warm), printing time and query count. Target: the results page ≤ 1 s on
PostgreSQL; the query counts must be the same as for a small round (tests pin them).
The script exits 1 when the results page misses its target.
"""

from __future__ import annotations

import datetime
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
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

from audits.models import Department  # noqa: E402
from inspections.models import InspectionRound  # noqa: E402

DEPARTMENTS = 500
CATEGORIES = 6
ITEMS_PER_CATEGORY = 10
RESULTS_TARGET = 1.0


def build_round() -> tuple[InspectionRound, list[Department]]:
    from django.contrib.auth.models import Group

    from audits.models import User
    from audits.roles import Role
    from audits.services import ensure_reference_data
    from inspections import services
    from inspections.models import Answer, InspectionResponse, ResponseState

    ensure_reference_data()
    auditor = User.objects.create(username="bench-auditor", display_name="監査 ベンチ")
    auditor.groups.add(Group.objects.get(name=Role.AUDITOR.value))
    bureau = Department.objects.create(code="bench", name="ベンチ局")
    Department.objects.bulk_create(
        Department(code=f"b{n:04d}", name=f"ベンチ課{n:04d}", parent=bureau, sort_order=n)
        for n in range(DEPARTMENTS)
    )
    departments = list(Department.objects.filter(parent=bureau).order_by("sort_order"))
    checklist = services.create_checklist(fiscal_year=2025, name="ベンチ点検票", user=auditor)
    for c in range(CATEGORIES):
        category = services.add_category(
            checklist, number=f"({c + 1})", title=f"分類{c + 1}", user=auditor
        )
        for i in range(ITEMS_PER_CATEGORY):
            services.add_item(
                category,
                number=f"{i + 1}",
                question=f"分類{c + 1}の点検項目{i + 1}を実施しているか",
                result_phrase="実施されている",
                user=auditor,
            )
    round_ = services.open_inspection_round(
        name="ベンチ自己点検",
        fiscal_year=2025,
        kind="self",
        checklist=checklist,
        departments=departments,
        start_date=datetime.date(2025, 7, 1),
        deadline=datetime.date(2025, 8, 31),
        user=auditor,
    )
    InspectionResponse.objects.bulk_create(
        InspectionResponse(
            round=round_,
            department=d,
            state=ResponseState.ACCEPTED if n % 10 else ResponseState.SUBMITTED,
        )
        for n, d in enumerate(departments)
    )
    items = services.checklist_items(checklist)
    responses = list(InspectionResponse.objects.filter(round=round_).order_by("department_id"))
    answers = []
    for n, response in enumerate(responses):
        for position, item in enumerate(items):
            options = list(item.options.all())
            option = options[2] if (n + position) % 10 == 0 else options[0]
            other = "職員数が少ないため日常的に声掛けをしている。" if option is options[2] else ""
            answers.append(Answer(response=response, item=item, option=option, other_text=other))
    Answer.objects.bulk_create(answers, batch_size=2000)
    return round_, departments


def fetch(client: Client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    return elapsed, len(queries.captured_queries), response.status_code


def main() -> int:
    from django.urls import reverse

    from audits.models import User
    from inspections.models import Answer

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
        round_, departments = build_round()
        print(
            f"  (round of {len(departments)} departments × {CATEGORIES * ITEMS_PER_CATEGORY} "
            f"items, {Answer.objects.count():,} answers, built in "
            f"{time.perf_counter() - start:.1f} s)"
        )
        client = Client()
        client.force_login(User.objects.get(username="bench-auditor"))
        pages = [
            ("progress page", reverse("inspection_round_detail", args=[round_.pk])),
            (
                "one department's answer form",
                reverse("response_form", args=[round_.pk, departments[7].pk]),
            ),
            ("results page", reverse("inspection_results", args=[round_.pk])),
        ]
        print(f"  {'page':<32} {'first':>8} {'second':>8} {'queries':>8}")
        for name, url in pages:
            first, _, status = fetch(client, url)
            second, count, status = fetch(client, url)
            assert status == 200, (name, status)
            verdict = ""
            if name == "results page":
                verdict = "ok" if second <= RESULTS_TARGET else "SLOW"
                failed = verdict == "SLOW"
            print(f"  {name:<32} {first:>7.3f}s {second:>7.3f}s {count:>8} {verdict}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
