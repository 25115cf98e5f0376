"""What the daily run applies: reorganisations and 人事異動 whose date has come."""

from __future__ import annotations

import datetime

from organisation.people import apply_change, due_changes
from organisation.services import apply_reorganisation, due_reorganisations


def apply_due(today: datetime.date) -> tuple[int, int]:
    """Apply, in date order, every planned reorganisation and personnel change due by
    `today`; each in its own transaction, so one that fails leaves the others applied
    and is retried the next day. Returns the counts applied."""
    reorgs = 0
    for reorg in due_reorganisations(today):
        apply_reorganisation(reorg, user=None, today=today)
        reorgs += 1
    changes = 0
    for change in due_changes(today):
        apply_change(change, user=None, today=today)
        changes += 1
    return reorgs, changes
