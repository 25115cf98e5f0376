"""The current status kept on the finding (latest_status, latest_status_date, is_closed)
always equals the one computed from the accepted entries, whatever order entries are
posted, accepted and returned in (including entries dated before the latest one)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from findings.models import Finding
from remediation.models import RemediationEntry
from remediation.services import (
    rebuild_current_status,
    record_entry,
    review_entry,
    stale_current_status,
)

# Names in a tuple: django-stubs cannot see the annotations in a literal call.
STATUS = ("pk", "status_id_now", "status_date_now", "status_closed_now")
DAYS = [datetime.date(2021, 3, 1) + datetime.timedelta(days=40 * n) for n in range(8)]


def _as_computed() -> dict[int, tuple[object, ...]]:
    rows = Finding.objects.with_computed_status().values_list(*STATUS)
    return {pk: (status, day, bool(closed)) for pk, status, day, closed in rows}


def _as_kept() -> dict[int, tuple[object, ...]]:
    rows = Finding.objects.with_status().values_list(*STATUS)
    return {pk: (status, day, bool(closed)) for pk, status, day, closed in rows}


def test_kept_status_equals_the_computed_one_after_any_sequence_of_reviews(
    make_finding, statuses, ict_staff, reviewer
):
    rng = random.Random(13)
    findings = [make_finding(label=str(n)) for n in range(4)]
    waiting: list[RemediationEntry] = []
    for _ in range(40):
        if waiting and rng.random() < 0.55:
            entry = waiting.pop(rng.randrange(len(waiting)))
            decision = rng.choice(["accepted", "accepted", "returned"])
            review_entry(entry, decision=decision, reason="再提出してください。", user=reviewer)
        else:
            waiting.append(
                record_entry(
                    rng.choice(findings),
                    status=rng.choice(list(statuses.values())),
                    entry_date=rng.choice(DAYS),
                    content="対応した。",
                    user=ict_staff,
                )
            )
        assert _as_kept() == _as_computed()
    assert stale_current_status() == []
    assert any(f.current_status.is_closed for f in Finding.objects.with_status())


def test_open_reads_the_kept_column_and_as_of_still_computes(finding, make_entry):
    make_entry(finding, "sochizumi", day=datetime.date(2021, 9, 30))
    assert not Finding.objects.with_status().open().exists()
    assert Finding.objects.with_status().closed().get() == finding
    as_of = datetime.date(2021, 6, 30)  # before the entry: 未報告, open
    assert Finding.objects.with_status(as_of).open().get() == finding


def test_verify_command_finds_and_rebuild_repairs_a_status_written_around_the_services(
    finding, make_entry
):
    make_entry(finding, "sochizumi")
    Finding.objects.filter(pk=finding.pk).update(latest_status=None, is_closed=False)
    assert stale_current_status() == [finding.pk]
    with pytest.raises(CommandError, match="1 件"):
        call_command("current_status")
    assert rebuild_current_status() == 1
    call_command("current_status")
    assert Finding.objects.with_status().get().current_status.is_closed
