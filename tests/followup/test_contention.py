"""No lost work under contention (PostgreSQL: real concurrent transactions).

Two staff submitting on one finding at once both get their entry stored; two auditors
reviewing one entry at once (or one reviewing while staff submit) never review it twice
and never fail with a 500-style error: the loser is told it is already reviewed."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from remediation.models import EntryReview, RemediationEntry
from remediation.services import ReviewNotAllowed, record_entry, review_entry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are what is tested (PostgreSQL)"
    ),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """A transactional test's flush also removes the role groups and vocabularies."""
    from audits.services import ensure_reference_data

    ensure_reference_data()


def _race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # the test inspects what each side got
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_submissions_on_one_finding_are_both_stored(finding, ict_staff, auditor, statuses):
    def submit(text: str) -> Callable[[], object]:
        return lambda: record_entry(
            finding,
            status=statuses["keizoku"],
            entry_date=datetime.date(2021, 9, 30),
            content=text,
            user=ict_staff,
        )

    results = _race(submit("一人目の報告。"), submit("二人目の報告。"))

    assert all(isinstance(r, RemediationEntry) for r in results), results
    assert set(RemediationEntry.objects.values_list("content", flat=True)) == {
        "一人目の報告。",
        "二人目の報告。",
    }


def test_two_reviews_of_one_entry_record_one(finding, ict_staff, auditor, reviewer, statuses):
    entry = record_entry(
        finding,
        status=statuses["sochizumi"],
        entry_date=datetime.date(2021, 9, 30),
        content="措置を終えた。",
        user=ict_staff,
    )

    results = _race(
        lambda: review_entry(entry, decision="accepted", user=auditor),
        lambda: review_entry(entry, decision="returned", reason="不十分。", user=reviewer),
    )

    assert sum(isinstance(r, EntryReview) for r in results) == 1, results
    assert sum(isinstance(r, ReviewNotAllowed) for r in results) == 1, results
    assert EntryReview.objects.filter(entry=entry).count() == 1


def test_review_while_staff_submit_keeps_both(finding, ict_staff, auditor, statuses):
    first = record_entry(
        finding,
        status=statuses["keizoku"],
        entry_date=datetime.date(2021, 9, 30),
        content="途中経過。",
        user=ict_staff,
    )

    results = _race(
        lambda: review_entry(first, decision="accepted", user=auditor),
        lambda: record_entry(
            finding,
            status=statuses["sochizumi"],
            entry_date=datetime.date(2021, 10, 1),
            content="完了した。",
            user=ict_staff,
        ),
    )

    assert isinstance(results[0], EntryReview), results
    assert isinstance(results[1], RemediationEntry), results
    assert RemediationEntry.objects.filter(finding=finding).count() == 2
