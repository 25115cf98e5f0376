"""Where a reporting round stands, per finding and per department.

For each finding of the round the latest entry submitted since the round opened
decides: none → 未報告, waiting for review → 報告済, accepted → 受理済, returned →
差戻し (the department owes a new entry). Past the deadline, what is still owed
(未報告 or 差戻し) is 期限超過. Everything comes from three queries whatever the size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

from audits.models import Department
from findings.models import Finding
from followup.models import ReportingRound
from remediation.models import RemediationEntry, ReviewDecision


class RoundState(StrEnum):
    UNREPORTED = "未報告"
    RETURNED = "差戻し"
    SUBMITTED = "報告済"
    ACCEPTED = "受理済"

    @property
    def is_owed(self) -> bool:
        """The department still has to submit something for this finding."""
        return self in (RoundState.UNREPORTED, RoundState.RETURNED)


COLUMNS = ("未報告", "報告済", "受理済", "期限超過")


@dataclass
class DepartmentProgress:
    department: Department
    unreported: int = 0  # 未報告 and 差戻し: something is owed
    submitted: int = 0
    accepted: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.unreported + self.submitted + self.accepted

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return (self.unreported, self.submitted, self.accepted, self.overdue)


@dataclass
class RoundProgress:
    round: ReportingRound
    states: dict[int, RoundState]  # finding id → state
    departments: list[DepartmentProgress] = field(default_factory=list)

    @property
    def totals(self) -> tuple[int, int, int, int]:
        return (
            sum(d.unreported for d in self.departments),
            sum(d.submitted for d in self.departments),
            sum(d.accepted for d in self.departments),
            sum(d.overdue for d in self.departments),
        )


def finding_states(
    round_: ReportingRound, finding_ids: list[int] | None = None
) -> dict[int, RoundState]:
    """The state of each finding of the round (or of `finding_ids` among them)."""
    ids = (
        finding_ids
        if finding_ids is not None
        else list(round_.findings.values_list("pk", flat=True))
    )
    states = dict.fromkeys(ids, RoundState.UNREPORTED)
    latest: dict[int, tuple[datetime.datetime, int]] = {}
    rows = RemediationEntry.objects.filter(
        finding_id__in=ids, recorded_at__gte=round_.opened_at
    ).values_list("finding_id", "recorded_at", "id", "review__decision")
    for finding_id, recorded_at, pk, decision in rows:
        key = (recorded_at, pk)
        if finding_id in latest and latest[finding_id] > key:
            continue
        latest[finding_id] = key
        states[finding_id] = (
            RoundState.SUBMITTED
            if decision is None
            else RoundState.ACCEPTED
            if decision == ReviewDecision.ACCEPTED
            else RoundState.RETURNED
        )
    return states


def round_progress(
    round_: ReportingRound,
    today: datetime.date | None = None,
    department_ids: set[int] | None = None,
) -> RoundProgress:
    """Counts per department addressed (a finding for two departments counts for each),
    limited to `department_ids` when given (a department's own view)."""
    states = finding_states(round_)
    overdue = round_.is_overdue(today or timezone.localdate())
    links = Finding.departments.through.objects.filter(finding_id__in=list(states))
    if department_ids is not None:
        links = links.filter(department_id__in=department_ids)
    by_department: dict[int, list[int]] = defaultdict(list)
    for finding_id, department_id in links.values_list("finding_id", "department_id"):
        by_department[department_id].append(finding_id)
    departments = Department.objects.filter(pk__in=list(by_department)).select_related("parent")
    result = RoundProgress(round_, states)
    for department in sorted(departments, key=lambda d: (d.sort_order, d.code)):
        line = DepartmentProgress(department)
        for finding_id in by_department[department.pk]:
            state = states[finding_id]
            if state.is_owed:
                line.unreported += 1
                line.overdue += overdue
            elif state == RoundState.SUBMITTED:
                line.submitted += 1
            else:
                line.accepted += 1
        result.departments.append(line)
    return result
