"""A finding's timeline: every log row about the finding itself and about what hangs on
it (its entries, their evidence files and reviews, its viewpoint links), newest first.
One indexed query on finding_id, however many rows."""

from __future__ import annotations

from history.display import ALWAYS_HIDDEN, LogRow, rows_for
from history.models import LogEntry


def finding_timeline(finding_id: int, *, parent_visible: bool = True) -> list[LogRow]:
    """Rows naming the finding's parent are shown without its value to someone who may
    not see the parent (a sub-item can be addressed to a department its parent is not)."""
    hidden = ALWAYS_HIDDEN if parent_visible else ALWAYS_HIDDEN | {"parent"}
    entries = (
        LogEntry.objects.filter(finding_id=finding_id)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )
    return rows_for(entries, hidden)
