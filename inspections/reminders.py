"""What the daily digests say about self-inspection rounds (reminders.digests asks here).

A round is worth a line from REMINDER_DAYS_BEFORE days before its deadline on, for as
long as a target department has not submitted (未着手, 作成中 or 差戻し): department
staff hear about their own departments, the audit office about rounds past their
deadline with the departments that owe an answer. Two queries per run, whatever the
number of people."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from audits.models import Department
from audits.wareki import format_wareki
from inspections.models import InspectionResponse, InspectionRound, ResponseState

DONE_STATES = (ResponseState.SUBMITTED, ResponseState.ACCEPTED)


@dataclass
class InspectionDue:
    round: InspectionRound
    days_left: int
    departments: list[Department]  # those that still owe an answer

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def when(self) -> str:
        if self.days_left > 0:
            left = f"期限まであと{self.days_left}日"
        elif self.days_left == 0:
            left = "本日が期限"
        else:
            left = f"期限を{-self.days_left}日超過"
        return f"{format_wareki(self.round.deadline)}（{left}）"

    def url_for(self, department: Department | None = None) -> str:
        if department is not None:
            path = reverse("response_form", args=[self.round.pk, department.pk])
        else:
            path = reverse("inspection_round_detail", args=[self.round.pk])
        return f"{settings.SITE_URL}{path}"

    @property
    def url(self) -> str:
        return self.url_for()

    def lines(self) -> list[str]:
        return [f"  ・{d.full_name}: {self.url_for(d)}" for d in self.departments]


def inspections_due(day: datetime.date, horizon: datetime.date) -> list[InspectionDue]:
    """Rounds due by `horizon` with the target departments that have not submitted."""
    rounds = list(InspectionRound.objects.filter(deadline__lte=horizon).order_by("deadline", "id"))
    if not rounds:
        return []
    done = set(
        InspectionResponse.objects.filter(round__in=rounds, state__in=DONE_STATES).values_list(
            "round_id", "department_id"
        )
    )
    targets = InspectionRound.departments.through.objects.filter(
        inspectionround_id__in=[r.pk for r in rounds]
    ).select_related("department__parent")
    owed: dict[int, list[Department]] = {}
    for link in targets.order_by("department__sort_order", "department__code"):
        if (link.inspectionround_id, link.department_id) not in done:
            owed.setdefault(link.inspectionround_id, []).append(link.department)
    return [InspectionDue(r, (r.deadline - day).days, owed[r.pk]) for r in rounds if r.pk in owed]


def for_departments(due: list[InspectionDue], scope: set[int]) -> list[InspectionDue]:
    mine = []
    for facts in due:
        departments = [d for d in facts.departments if d.pk in scope]
        if departments:
            mine.append(InspectionDue(facts.round, facts.days_left, departments))
    return mine
