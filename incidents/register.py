"""The register as one document: the rows every page and file (HTML, PDF, Excel, CSV)
renders, built once from two queries (incidents with their type and 所管課; their
measures with the current status)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audits.models import Department
from audits.wareki import format_fiscal_year, format_wareki
from findings.models import Finding
from incidents.access import visible_incidents
from incidents.models import Incident, IncidentType

TITLE = "セキュリティ障害について"

if TYPE_CHECKING:
    from audits.access import AnyUser


def print_department(department: Department) -> str:
    """ "財政局市民税企画課": 部局 and 課 run together, as the seed prints them."""
    if department.parent is None:
        return department.name
    return f"{department.parent.name}{department.name}"


@dataclass(frozen=True)
class MeasureRow:
    finding_id: int
    text: str
    status: str
    status_date: datetime.date | None
    is_closed: bool
    badge: str

    @property
    def status_text(self) -> str:
        """ "措置済（平成27年7月29日）" or "未報告"."""
        if self.status_date is None:
            return self.status
        return f"{self.status}（{format_wareki(self.status_date)}）"


@dataclass(frozen=True)
class IncidentRow:
    pk: int
    position: int  # (1), (2) … in the printed document
    fiscal_year_label: str
    register_number: int
    type_name: str
    title: str
    occurred_text: str
    department: str
    record_count_text: str
    classification_text: str
    summary: str
    note: str
    cause: str
    press_release_text: str
    citizen_response: str
    reported_text: str
    measures: list[MeasureRow]

    @property
    def heading(self) -> str:
        return f"({self.position}) {self.type_name}（1件）"

    @property
    def open_measures(self) -> int:
        return sum(1 for m in self.measures if not m.is_closed)


@dataclass(frozen=True)
class TypeCount:
    name: str
    count: int


@dataclass(frozen=True)
class IncidentRegisterDoc:
    first_year: int
    last_year: int
    rows: list[IncidentRow]
    type_counts: list[TypeCount]
    generated_at: datetime.datetime = field(default_factory=timezone.now)
    title: str = TITLE

    @property
    def period_label(self) -> str:
        first = format_fiscal_year(self.first_year)
        if self.last_year == self.first_year:
            return first
        return f"{first}～{format_fiscal_year(self.last_year)}"

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def intro(self) -> str:
        if not self.rows:
            return f"{self.period_label}にセキュリティ障害として報告のあった事例はありません。"
        return (
            f"{self.period_label}に各課からセキュリティ障害として報告のあった事例は"
            f"以下の{self.total}件です。"
        )


def measures_prefetch() -> Prefetch[str, QuerySet[Finding], str]:
    return Prefetch(
        "section__findings",
        queryset=Finding.objects.with_status().order_by("sort_order", "id"),
    )


def register_queryset(user: AnyUser, first_year: int, last_year: int) -> QuerySet[Incident]:
    return (
        visible_incidents(user)
        .filter(fiscal_year__gte=first_year, fiscal_year__lte=last_year)
        .select_related("incident_type", "department__parent", "section")
        .prefetch_related(measures_prefetch())
        .order_by("reported_on", "fiscal_year", "number")
    )


def measure_rows(incident: Incident) -> list[MeasureRow]:
    rows = []
    for finding in incident.section.findings.all():
        status = finding.current_status
        rows.append(
            MeasureRow(
                finding.pk, finding.body, status.name, status.date, status.is_closed, status.badge
            )
        )
    return rows


def build_register(
    user: AnyUser, first_year: int, last_year: int | None = None
) -> IncidentRegisterDoc:
    last = first_year if last_year is None else last_year
    incidents = list(register_queryset(user, first_year, last))
    rows = [
        IncidentRow(
            pk=incident.pk,
            position=position,
            fiscal_year_label=incident.fiscal_year_label,
            register_number=incident.number,
            type_name=incident.incident_type.name,
            title=incident.title,
            occurred_text=incident.occurred_text,
            department=print_department(incident.department),
            record_count_text=incident.record_count_text,
            classification_text=incident.classification_text,
            summary=incident.summary,
            note=incident.note,
            cause=incident.cause,
            press_release_text=incident.press_release_text,
            citizen_response=incident.citizen_response,
            reported_text=incident.reported_text,
            measures=measure_rows(incident),
        )
        for position, incident in enumerate(incidents, start=1)
    ]
    return IncidentRegisterDoc(first_year, last, rows, type_counts(incidents))


def type_counts(incidents: list[Incident]) -> list[TypeCount]:
    """件数 per 種別 in the vocabulary's order, only the kinds that occur."""
    counts = Counter(i.incident_type_id for i in incidents)
    types: dict[int, IncidentType] = {i.incident_type_id: i.incident_type for i in incidents}
    ordered = sorted(types.values(), key=lambda t: (t.sort_order, t.pk))
    return [TypeCount(t.name, counts[t.pk]) for t in ordered]


def register_years(user: AnyUser) -> list[int]:
    """The fiscal years in which the user may see incidents, newest first."""
    return sorted(set(visible_incidents(user).values_list("fiscal_year", flat=True)), reverse=True)
