"""Reporting and changing incidents, their 再発防止策 and the 種別 vocabulary.

Each function takes domain objects and the acting user, runs in one transaction and is
logged by the audit log (Incident, IncidentType and RegisterYear are tracked; the
measures are findings, tracked as such).
"""

from __future__ import annotations

import datetime
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audits.access import can_edit_audits
from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, AuditKind, Department, User
from audits.services import (
    add_named_row,
    add_section,
    create_audit,
    delete_unless_used,
    move_in_order,
    next_sort_order,
    rename_named_row,
)
from audits.wareki import fiscal_year_of, format_fiscal_year
from findings.models import Finding, FindingKind
from findings.services import add_finding, update_finding
from history.context import logs_acting_user
from incidents.access import reportable_departments
from incidents.models import (
    AUDIT_KIND_NAME,
    MEASURE_KIND_CODE,
    MEASURE_KIND_NAME,
    REGISTER_THEME,
    Incident,
    IncidentType,
    RegisterYear,
)


class IncidentFields(TypedDict):
    """What the form sets on an incident (everything but its number, year and section)."""

    title: str
    incident_type: IncidentType
    department: Department
    reported_on: datetime.date
    occurred_from: datetime.date
    occurred_to: datetime.date | None
    record_count: int | None
    record_unit: str
    confidentiality: bool
    integrity: bool
    availability: bool
    summary: str
    note: str
    cause: str
    press_release_on: datetime.date | None
    citizen_response: str


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _normalised(fields: IncidentFields) -> IncidentFields:
    """Months kept as their first day; a range ending in its own first month is one month;
    a count without a unit counts 件."""
    clean = IncidentFields(**fields)
    clean["occurred_from"] = first_of_month(fields["occurred_from"])
    end = fields["occurred_to"]
    clean["occurred_to"] = first_of_month(end) if end is not None else None
    if clean["occurred_to"] == clean["occurred_from"]:
        clean["occurred_to"] = None
    clean["record_unit"] = fields["record_unit"].strip()
    if fields["record_count"] is None:
        clean["record_unit"] = ""
    elif not clean["record_unit"]:
        clean["record_unit"] = "件"
    return clean


def _errors(fields: IncidentFields, user: User | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    reported = fields["reported_on"]
    start, end = fields["occurred_from"], fields["occurred_to"]
    if reported > timezone.localdate():
        errors["reported_on"] = "報告日に未来の日付は入力できません。"
    elif not MIN_FISCAL_YEAR <= fiscal_year_of(reported) <= MAX_FISCAL_YEAR:
        errors["reported_on"] = (
            f"報告日は{format_fiscal_year(MIN_FISCAL_YEAR)}（{MIN_FISCAL_YEAR}年4月）以降の"
            "日付にしてください。"
        )
    if start > first_of_month(reported):
        errors["occurred_from"] = "発生年月は報告日の月以前にしてください。"
    if end is not None:
        if end < start:
            errors["occurred_to"] = "発生年月（終わり）は発生年月より後の月にしてください。"
        elif end > first_of_month(reported):
            errors["occurred_to"] = "発生年月（終わり）は報告日の月以前にしてください。"
    press = fields["press_release_on"]
    if press is not None and press < start:
        errors["press_release_on"] = "記者発表の日は発生年月より後の日付にしてください。"
    if not (fields["confidentiality"] or fields["integrity"] or fields["availability"]):
        errors["classifications"] = "分類（機密性・完全性・可用性）を1つ以上選んでください。"
    if user is None or not (
        can_edit_audits(user)
        or reportable_departments(user).filter(pk=fields["department"].pk).exists()
    ):
        errors["department"] = "自課以外の所管課は選べません。"
    if not fields["title"].strip():
        errors["title"] = "件名を入力してください。"
    return errors


def _measure_kind() -> FindingKind:
    kind = FindingKind.objects.filter(code=MEASURE_KIND_CODE).first()
    if kind is None:
        kind = FindingKind.objects.filter(name=MEASURE_KIND_NAME).first()
    if kind is None:
        kind = FindingKind.objects.create(
            code=MEASURE_KIND_CODE,
            name=MEASURE_KIND_NAME,
            sort_order=next_sort_order(FindingKind.objects),
        )
    return kind


def _register_year(fiscal_year: int, department: Department, user: User | None) -> RegisterYear:
    """The fiscal year's container audit, made with the year's first incident.

    Its 監査対象 is the whole authority (every current 部局), not the departments that had
    incidents: the audit header is shown to every department with a measure in it, and
    must not tell one department which others had an incident."""
    year = RegisterYear.objects.select_for_update().filter(fiscal_year=fiscal_year).first()
    if year is None:
        whole = list(Department.objects.filter(parent__isnull=True, is_active=True))
        kind = AuditKind.objects.filter(name=AUDIT_KIND_NAME).first()
        if kind is None:
            kind = AuditKind.objects.create(
                name=AUDIT_KIND_NAME, sort_order=next_sort_order(AuditKind.objects)
            )
        audit = create_audit(
            fiscal_year=fiscal_year,
            kinds=[kind],
            theme=REGISTER_THEME,
            audited_departments=whole or [department],
            finding_kinds=[_measure_kind()],
            user=user,
        )
        return RegisterYear.objects.create(fiscal_year=fiscal_year, audit=audit)
    return year


def _measure_lines(measures: list[str]) -> list[str]:
    return [text.strip() for text in measures if text.strip()]


@logs_acting_user
@transaction.atomic
def report_incident(
    *, user: User | None, measures: list[str], **given: Unpack[IncidentFields]
) -> Incident:
    """Register an incident with its first 再発防止策 (each becomes a tracked finding)."""
    fields = _normalised(given)
    errors = _errors(fields, user)
    if errors:
        raise ValidationError(errors)
    fiscal_year = fiscal_year_of(fields["reported_on"])
    year = _register_year(fiscal_year, fields["department"], user)
    last = Incident.objects.filter(fiscal_year=fiscal_year).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    section = add_section(
        year.audit, number=str(number), title=f"セキュリティ障害（{number}）", user=user
    )
    incident = Incident(
        fiscal_year=fiscal_year, number=number, section=section, created_by=user, **fields
    )
    incident.full_clean()
    incident.save()
    for text in _measure_lines(measures):
        add_measure(incident, text=text, user=user)
    return incident


@logs_acting_user
@transaction.atomic
def update_incident(
    incident: Incident, *, user: User | None, **given: Unpack[IncidentFields]
) -> Incident:
    """Change what was reported. The 年度 stays: the measures are tracked in that year's
    register. A new 所管課 takes over the measures too."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    fields = _normalised(given)
    errors = _errors(fields, user)
    if "reported_on" not in errors and fiscal_year_of(fields["reported_on"]) != locked.fiscal_year:
        errors["reported_on"] = (
            f"報告日は{locked.fiscal_year_label}内の日付にしてください（再発防止策をこの年度の"
            "登録簿で追跡しているため、年度は変えられません）。"
        )
    if errors:
        raise ValidationError(errors)
    moved = locked.department_id != fields["department"].pk
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if moved:
        for finding in Finding.objects.filter(section_id=locked.section_id):
            update_finding(finding, departments=[fields["department"]], user=user)
    return locked


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def measure_label(position: int) -> str:
    """ "①", "②" …: tells the measures of one incident apart in the department's list."""
    return CIRCLED[position - 1] if position <= len(CIRCLED) else f"({position})"


@logs_acting_user
@transaction.atomic
def add_measure(incident: Incident, *, text: str, user: User | None) -> Finding:
    """A 再発防止策, tracked as a finding of the year's register addressed to the 所管課."""
    body = text.strip()
    if not body:
        raise ValidationError({"text": "再発防止策を入力してください。"})
    audit = incident.section.audit
    kind = _measure_kind()
    if not audit.finding_kinds.filter(pk=kind.pk).exists():
        audit.finding_kinds.add(kind)
    position = Finding.objects.filter(section_id=incident.section_id).count() + 1
    return add_finding(
        audit,
        kind=kind,
        section=incident.section,
        label=measure_label(position),
        title=incident.title,
        body=body,
        departments=[incident.department],
        user=user,
    )


# --- 種別: the vocabulary ------------------------------------------------------------------


@transaction.atomic
def add_incident_type(*, name: str, user: User | None) -> IncidentType:
    return add_named_row(IncidentType, name=name, user=user, noun="障害の種別")


@transaction.atomic
def update_incident_type(row: IncidentType, *, name: str, user: User | None) -> IncidentType:
    return rename_named_row(row, name=name, user=user, noun="障害の種別")


@transaction.atomic
def move_incident_type(row: IncidentType, *, offset: int, user: User | None) -> None:
    move_in_order(IncidentType.objects.all(), row, offset, user, "障害の種別")


def incident_type_delete_refusal(row: IncidentType) -> str:
    count = row.incidents.count()
    if not count:
        return ""
    return f"種別「{row.name}」はセキュリティ障害 {count} 件で使われているため削除できません。"


@transaction.atomic
def delete_incident_type(row: IncidentType, *, user: User | None) -> None:
    delete_unless_used(row, user, "障害の種別を削除", incident_type_delete_refusal(row))
