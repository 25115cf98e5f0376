"""Where a round stands per department: 未着手 / 作成中 / 提出済 / 差戻し / 受理済, and
which are late (past the deadline with nothing submitted). Three queries whatever the
number of departments."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from audits.models import Department
from inspections.models import InspectionResponse, InspectionRound, ResponseState

NOT_STARTED = "未着手"
LATE = "期限超過"
COLUMNS = (NOT_STARTED, *(label for _, label in ResponseState.choices), LATE)


@dataclass
class DepartmentLine:
    department: Department
    response: InspectionResponse | None
    answered: int
    is_late: bool

    @property
    def state_label(self) -> str:
        return NOT_STARTED if self.response is None else self.response.get_state_display()

    @property
    def state_code(self) -> str:
        return "none" if self.response is None else self.response.state


@dataclass
class RoundProgress:
    round: InspectionRound
    lines: list[DepartmentLine] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        by_state = Counter(line.state_label for line in self.lines)
        late = sum(line.is_late for line in self.lines)
        return [(column, late if column == LATE else by_state[column]) for column in COLUMNS]

    @property
    def owed(self) -> list[DepartmentLine]:
        return [line for line in self.lines if line.response is None or line.response.is_editable]


def round_progress(
    round_: InspectionRound,
    today: datetime.date | None = None,
    department_ids: set[int] | None = None,
) -> RoundProgress:
    overdue = round_.is_overdue(today or timezone.localdate())
    departments = round_.departments.select_related("parent").order_by("sort_order", "code")
    responses = InspectionResponse.objects.filter(round=round_).annotate(
        answered=Count("answers", filter=Q(answers__option__isnull=False))
    )
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
        responses = responses.filter(department_id__in=department_ids)
    by_department = {r.department_id: r for r in responses}
    progress = RoundProgress(round_)
    for department in departments:
        response = by_department.get(department.pk)
        owes = response is None or response.is_editable
        progress.lines.append(
            DepartmentLine(
                department,
                response,
                getattr(response, "answered", 0) if response is not None else 0,
                overdue and owes,
            )
        )
    return progress
