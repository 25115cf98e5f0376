"""Building the day's digests costs the same number of queries for 1 owed finding as for
many, and for one returned or pending entry as for many."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.services import open_round
from remediation.models import ReviewDecision
from remediation.services import record_entry, review_entry
from reminders.services import send_digests
from tests.reminders.conftest import AFTER_DEADLINE, BASE, DEADLINE


def test_query_count_does_not_grow_with_findings_or_entries(
    audit, auditor, make_finding, ict, people, statuses
):
    ict_staff = people["ict_staff"]
    first = make_finding(label="0", title="指摘0", departments=[ict])
    round_ = open_round(name="照会", audit=audit, base_date=BASE, deadline=DEADLINE, user=auditor)

    def add(findings):
        round_.findings.add(*findings)
        for finding in findings:
            entry = record_entry(
                finding,
                status=statuses["keizoku"],
                entry_date=datetime.date(2021, 10, 1),
                content="対応中",
                user=ict_staff,
            )
            review_entry(entry, decision=ReviewDecision.RETURNED, reason="不足", user=auditor)
            record_entry(  # waits for review: the office digest lists it
                make_finding(label=f"p{finding.pk}", title="別件", departments=[ict]),
                status=statuses["keizoku"],
                entry_date=datetime.date(2021, 10, 2),
                content="報告",
                user=ict_staff,
            )

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            run = send_digests(AFTER_DEADLINE, dry_run=True)
        return len(queries), sum(len(r.findings) for d in run.sent for r in d.rounds)

    add([first])
    few, listed_few = count()
    add([make_finding(label=f"{n}", title=f"指摘{n}", departments=[ict]) for n in range(1, 12)])
    many, listed_many = count()
    assert (listed_few, listed_many) == (1, 12)
    assert many == few
