"""The incident part of the demo (load_demo): seed 003's four incidents (資料3
セキュリティ障害, 仙台市), transcribed in fixtures/incidents_003_sendai.json (its "_note"
says what had to be assumed), with their 再発防止策 as tracked findings and the entries
reported on them.

Idempotent: a department that exists (by code) or an incident that exists (by title and
報告日) is left alone. Everything goes through the services the pages use.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from audits.demo import staff_for
from audits.models import Department, User
from incidents.forms import parse_month
from incidents.models import Incident, IncidentType
from incidents.services import IncidentFields, report_incident
from remediation.models import RemediationStatus
from remediation.services import record_entry, review_entry

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "incidents_003_sendai.json"


def _read() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _departments(rows: list[dict[str, Any]]) -> dict[str, Department]:
    by_code = {d.code: d for d in Department.objects.filter(code__in=[r["code"] for r in rows])}
    order = (Department.objects.aggregate(n=Max("sort_order"))["n"] or 0) + 1
    for row in rows:
        if row["code"] in by_code:
            continue
        by_code[row["code"]] = Department.objects.create(
            code=row["code"],
            name=row["name"],
            parent=by_code[row["parent"]] if row.get("parent") else None,
            sort_order=order,
        )
        order += 1
    return by_code


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load_incident_demo(auditor: User) -> list[Incident]:
    data = _read()
    departments = _departments(data["departments"])
    statuses = {s.code: s for s in RemediationStatus.objects.all()}
    loaded = []
    for row in data["incidents"]:
        reported_on = datetime.date.fromisoformat(row["reported_on"])
        if Incident.objects.filter(title=row["title"], reported_on=reported_on).exists():
            continue
        incident_type = IncidentType.objects.get_or_create(name=row["type"])[0]
        classes = set(row["classifications"])
        fields = IncidentFields(
            title=row["title"],
            incident_type=incident_type,
            department=departments[row["department"]],
            reported_on=reported_on,
            occurred_from=parse_month(row["occurred_from"]),
            occurred_to=parse_month(row["occurred_to"]) if row["occurred_to"] else None,
            record_count=row["record_count"],
            record_unit=row["record_unit"],
            confidentiality="confidentiality" in classes,
            integrity="integrity" in classes,
            availability="availability" in classes,
            summary=row["summary"],
            note=row["note"],
            cause=row["cause"],
            press_release_on=_date(row["press_release_on"]),
            citizen_response=row["citizen_response"],
        )
        incident = report_incident(
            user=auditor, measures=[m["text"] for m in row["measures"]], **fields
        )
        reporter = staff_for(incident.department)
        findings = list(incident.section.findings.order_by("sort_order", "id"))
        for finding, measure in zip(findings, row["measures"], strict=True):
            for entry in measure["entries"]:
                posted = record_entry(
                    finding,
                    status=statuses[entry["status"]],
                    entry_date=datetime.date.fromisoformat(entry["date"]),
                    content=entry["content"],
                    user=reporter,
                )
                review_entry(posted, decision="accepted", reason="", user=auditor)
        loaded.append(incident)
    return loaded
