"""Load the demo data in fixtures/: departments, one user per role, and the seed audits.

Idempotent: what exists already (matched by department code, username, or an audit's
year + kind + theme) is left alone, so `make run` can call it every time. Everything
goes through the same service functions the views use.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from audits.models import Audit, AuditKind, Department, User, Viewpoint
from audits.roles import Role
from audits.services import (
    HEADER_FIELDS,
    add_key_risk,
    add_section,
    add_viewpoint,
    create_audit,
    ensure_reference_data,
)
from findings.models import Finding, FindingKind, FindingSubclass
from findings.services import add_finding
from remediation.models import RemediationStatus
from remediation.services import record_entry, review_entry

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DATE_FIELDS = ("period_start", "period_end", "report_date", "notice_date")
LINE_FIELDS = ("signers", "auditor_names", "method", "standards_applied", "standards_reference")
AUDIT_FILES = ["audit_000_yokkaichi.json", "audit_001_arakawa.json", "audit_002_key_risks.json"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    display_name: str
    role: Role
    department_code: str

    @property
    def email(self) -> str:
        # example.lg.jp: a name under the municipal domain that reaches nobody.
        return f"{self.username}@example.lg.jp"


# Demo only: these accounts exist only where load_demo was run.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("kansa", "kansa-demo-2026", "監査 太郎", Role.AUDITOR, "kansaka"),
    DemoUser("ict", "ict-demo-2026", "情報 花子", Role.DEPARTMENT_STAFF, "ict"),
    DemoUser("jinji", "jinji-demo-2026", "人事 次郎", Role.DEPARTMENT_STAFF, "jinji"),
    DemoUser("kanri", "kanri-demo-2026", "管理 三郎", Role.MANAGER, "soumu"),
    DemoUser("admin", "admin-demo-2026", "管理者 四郎", Role.ADMINISTRATOR, "ict"),
)


def _read(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load_departments() -> dict[str, Department]:
    by_code = {d.code: d for d in Department.objects.all()}
    for order, row in enumerate(_read("departments.json")):
        if row["code"] in by_code:
            continue
        parent = by_code[row["parent"]] if row.get("parent") else None
        by_code[row["code"]] = Department.objects.create(
            code=row["code"], name=row["name"], parent=parent, sort_order=order
        )
    return by_code


@transaction.atomic
def load_users(departments: dict[str, Department]) -> list[DemoUser]:
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "display_name": demo.display_name,
                "department": departments[demo.department_code],
                "is_staff": demo.role in (Role.ADMINISTRATOR, Role.AUDITOR),
                "is_superuser": demo.role == Role.ADMINISTRATOR,
            },
        )
        if created:
            user.set_password(demo.password)
        if created or not user.email:
            user.email = demo.email
            user.save()
        user.groups.add(Group.objects.get(name=demo.role.value))
    return list(DEMO_USERS)


def staff_for(department: Department) -> User:
    """The demo member of staff who reports for a department (made if missing, with no
    usable password but a mail address for the reminder digests, for departments that
    have no demo login)."""
    user = User.objects.filter(
        department=department, groups__name=Role.DEPARTMENT_STAFF.value
    ).first()
    if user is None:
        username = f"staff-{department.code}"
        user = User.objects.create(
            username=username,
            display_name=f"{department.name} 担当",
            department=department,
            email=f"{username}@example.lg.jp",
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.DEPARTMENT_STAFF.value))
    return user


@transaction.atomic
def load_audit(name: str, departments: dict[str, Department], auditor: User) -> Audit | None:
    data = _read(name)
    head = data["audit"]
    audit_kinds = [AuditKind.objects.get_or_create(name=name)[0] for name in head["kinds"]]
    if Audit.objects.filter(fiscal_year=head["fiscal_year"], theme=head["theme"]).exists():
        return None
    for extra in data.get("finding_kinds", []):
        FindingKind.objects.get_or_create(
            code=extra["code"],
            defaults={
                "name": extra["name"],
                "heading": extra.get("heading", ""),
                "sort_order": extra.get("sort_order", 100),
            },
        )
    for extra in data.get("finding_subclasses", []):
        FindingSubclass.objects.get_or_create(
            kind=FindingKind.objects.get(code=extra["kind"]),
            name=extra["name"],
            defaults={"sort_order": extra.get("sort_order", 100)},
        )
    kinds = {k.code: k for k in FindingKind.objects.all()}
    subclasses = {(s.kind.code, s.name): s for s in FindingSubclass.objects.select_related("kind")}
    statuses = {s.code: s for s in RemediationStatus.objects.all()}
    header = {name: head[name] for name in HEADER_FIELDS if name in head}
    for name in DATE_FIELDS:
        if name in header:
            header[name] = _date(header[name])
    for name in LINE_FIELDS:
        if isinstance(header.get(name), list):
            header[name] = "\n".join(header[name])
    audit = create_audit(
        kinds=audit_kinds,
        audited_departments=[departments[c] for c in head["audited_departments"]],
        auditors=[auditor],
        finding_kinds=[kinds[c] for c in head["finding_kinds"]],
        user=auditor,
        **header,
    )
    for system in data.get("systems", []):
        audit.systems.create(
            name=system["name"],
            department=departments[system["department"]] if system.get("department") else None,
        )
    for order, item in enumerate(data.get("schedule", [])):
        audit.schedule.create(
            date=datetime.date.fromisoformat(item["date"]),
            category=item["category"],
            content=item.get("content", ""),
            sort_order=order,
        )
    for order, part in enumerate(data.get("overall_comments", [])):
        audit.overall_comments.create(
            heading=part.get("heading", ""), body=part["body"], sort_order=order
        )
    for order, text in enumerate(data.get("commendations", [])):
        audit.commendations.create(text=text, sort_order=order)
    sections = {
        s["number"]: add_section(audit, number=s["number"], title=s["title"], user=auditor)
        for s in data.get("sections", [])
    }
    risks = {
        r["number"]: add_key_risk(audit, number=r["number"], title=r["title"], user=auditor)
        for r in data.get("key_risks", [])
    }
    # A viewpoint is named by its number, or "risk/number" where numbers restart per risk.
    viewpoints: dict[str, Viewpoint] = {}
    for v in data.get("viewpoints", []):
        viewpoint = add_viewpoint(
            audit,
            number=v["number"],
            text=v["text"],
            user=auditor,
            key_risk=risks.get(v.get("key_risk") or ""),
        )
        viewpoints.setdefault(v["number"], viewpoint)
        if v.get("key_risk"):
            viewpoints[f"{v['key_risk']}/{v['number']}"] = viewpoint

    def add(row: dict[str, Any], parent: Finding | None) -> None:
        source = parent_row if parent is not None else row
        depts = [departments[c] for c in row.get("departments") or source["departments"]]
        finding = add_finding(
            audit,
            kind=kinds[source["kind"]],
            section=sections.get(source.get("section") or ""),
            viewpoint=viewpoints.get(source.get("viewpoint") or ""),
            parent=parent,
            label=row.get("label", ""),
            title=row.get("title", ""),
            body=row["body"],
            departments=depts,
            subclass=subclasses[(source["kind"], row["subclass"])] if row.get("subclass") else None,
            extra_viewpoints=[viewpoints[key] for key in row.get("extra_viewpoints", [])],
            due_date=_date(row.get("due_date")),
            user=auditor,
        )
        reporter = staff_for(depts[0])
        for entry in row.get("entries", []):
            posted = record_entry(
                finding,
                status=statuses[entry["status"]],
                entry_date=datetime.date.fromisoformat(entry["date"]),
                content=entry["content"],
                user=reporter,
            )
            # Published history: the audit office accepted it (the fixture may say
            # "review": null for one still waiting, or "returned" with a reason).
            decision = entry.get("review", "accepted")
            if decision:
                review_entry(
                    posted, decision=decision, reason=entry.get("reason", ""), user=auditor
                )
        for child in row.get("children", []):
            add(child, finding)

    for parent_row in data["findings"]:
        add(parent_row, None)
    return audit


def load_demo() -> list[DemoUser]:
    ensure_reference_data()
    departments = load_departments()
    users = load_users(departments)
    auditor = User.objects.get(username="kansa")
    for name in AUDIT_FILES:
        load_audit(name, departments, auditor)
    return users
