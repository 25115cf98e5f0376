"""Every URL × every role × own / other department: who gets what, and that nothing leaks.

The expectations table (EXPECTED) has one row per URL pattern of the project, and
test_every_url_pattern_has_a_matrix_row fails when a URL is added without one: a new
page must say who may open it before it ships.

Roles are the personas of tests/conftest.py, seen from 総務部 ICT戦略課: "staff_own" is
ICT戦略課 staff acting on an ICT戦略課 object, "staff_other" the same person on a 人事課
object (in a 人事課 audit, or addressed to 人事課 inside the ICT戦略課 audit: "shared").
Outcomes:

- OK: 2xx, or a 3xx that does not lead to the login page;
- LOGIN: 302 to /accounts/login/ (anonymous);
- NOT_FOUND / FORBIDDEN / NOT_ALLOWED: 404 / 403 / 405;
- BAD_REQUEST: a report download refused with a Japanese 400 page, never a file;
- FIELD_ERROR: the report form shown again with "not a choice" (a tampered id), no report;
- LOGGED_OUT: signed out and sent to the login page.

Every POST carries a payload the view would accept, so a missing check would really
change data; a refused POST (and every GET) must leave the database exactly as it was,
and an allowed POST that should change something must have changed it (which proves the
payload is valid). No response to staff contains a marker of 人事課's data; no response to
a user without a role contains a marker of anyone's.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import security_log
from audits.models import (
    Audit,
    AuditedSystem,
    AuditKind,
    Commendation,
    Department,
    KeyRisk,
    Membership,
    OverallComment,
    ScheduleItem,
    Section,
    User,
    Viewpoint,
)
from audits.services import add_section, add_viewpoint, create_audit
from findings.models import Finding, FindingKind, FindingSubclass
from findings.services import add_finding
from followup.models import ReportingRound
from followup.services import open_round
from history.models import LogEntry
from incidents.models import Incident, IncidentType
from incidents.services import report_incident
from inspections import services as inspection_services
from inspections.models import (
    Answer,
    Checklist,
    ChecklistItem,
    InspectionResponse,
    InspectionRound,
    ItemNote,
    VisitInvestigation,
)
from organisation.models import PersonnelChange, Reorganisation
from organisation.services import plan_reorganisation
from remediation.models import EntryReview, Evidence, RemediationEntry, RemediationStatus
from remediation.services import CheckedFile, record_entry
from reports.jobs import run_export
from reports.models import ExportJob
from tests.conftest import PASSWORD, make_user
from tests.html_checks import inline_code, is_html

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
INVALID_CHOICE = "選択肢にない値です"

# Written into 人事課's findings and audit: ICT戦略課 staff must never receive them.
OTHER_FINDING_MARKER = "JINJISECRET7Q"
OTHER_AUDIT_MARKER = "JINJIAUDIT9W"
OTHER_MARKERS = (OTHER_FINDING_MARKER, OTHER_AUDIT_MARKER)
# Written into ICT戦略課's finding: a user without a role must not receive it either.
OWN_FINDING_MARKER = "ICTOWNFINDING4K"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_PASSWORD = "Matrix-9876-pass!"


class Outcome(Enum):
    OK = "ok"
    LOGIN = "login"
    NOT_FOUND = "404"
    FORBIDDEN = "403"
    NOT_ALLOWED = "405"
    BAD_REQUEST = "400"
    FIELD_ERROR = "field-error"
    LOGGED_OUT = "logged-out"


OK = Outcome.OK
LOGIN = Outcome.LOGIN
E404 = Outcome.NOT_FOUND
E403 = Outcome.FORBIDDEN
E405 = Outcome.NOT_ALLOWED
E400 = Outcome.BAD_REQUEST
FIELD = Outcome.FIELD_ERROR
OUT = Outcome.LOGGED_OUT

ROLES = ("anonymous", "no_role", "staff", "manager", "committee", "auditor", "administrator")


def row(
    anonymous: Outcome,
    no_role: Outcome,
    staff_own: Outcome,
    staff_other: Outcome,
    manager: Outcome,
    auditor: Outcome,
    administrator: Outcome,
    *,
    committee: Outcome | None = None,
) -> dict[str, Outcome]:
    """One outcome per role. The 監査委員 (committee) read as 管理職 do and change
    nothing: their column is the manager's unless a row says otherwise."""
    return {
        "anonymous": anonymous,
        "no_role": no_role,
        "staff_own": staff_own,
        "staff_other": staff_other,
        "manager": manager,
        "committee": manager if committee is None else committee,
        "auditor": auditor,
        "administrator": administrator,
    }


def same(outcome: Outcome) -> dict[str, Outcome]:
    """Every logged-in role alike; anonymous is sent to log in."""
    return row(LOGIN, outcome, outcome, outcome, outcome, outcome, outcome)


# --- data ------------------------------------------------------------------------------


@dataclass
class World:
    ict: Department
    jinji: Department
    own_audit: Audit  # addressed to ICT戦略課
    other_audit: Audit  # addressed to 人事課 only
    own_finding: Finding  # ICT戦略課 ①, takes the own evidence
    shared_finding: Finding  # 人事課 ②, inside own_audit
    # 人事課 ① inside other_audit, no entries: auditors' edits, moves and deletes work on it
    other_finding: Finding
    other_sibling: Finding  # 人事課 ②: the one below other_finding, takes the other evidence
    users: dict[str, User | None]

    def audit(self, ownership: str) -> Audit:
        return self.own_audit if ownership == "own" else self.other_audit

    def finding(self, ownership: str) -> Finding:
        return {"own": self.own_finding, "other": self.other_finding}.get(
            ownership, self.shared_finding
        )

    def evidence(self, ownership: str) -> Evidence:
        """Made when first asked for: writing files is the slow part of the data."""
        if ownership == "own":
            finding, author, name = self.own_finding, self.users["staff"], "ict.pdf"
        else:
            finding, author, name = self.other_sibling, self.jinji_staff, "jinji.pdf"
        existing = Evidence.objects.filter(entry__finding=finding).first()
        if existing is not None:
            return existing
        marker = OWN_FINDING_MARKER if ownership == "own" else OTHER_FINDING_MARKER
        entry = make_entry_with_file(finding, author, name, f"途中経過を報告する。{marker}")  # type: ignore[arg-type]
        return entry.evidence.get()

    jinji_staff: User | None = None

    def department(self, ownership: str) -> Department:
        return self.ict if ownership == "own" else self.jinji

    def spare(self) -> Department:
        """A 課 nothing depends on: it can be retired or abolished."""
        dept, _ = Department.objects.get_or_create(
            code="spare", defaults={"name": "予備課", "parent": self.ict.parent}
        )
        return dept

    def reorganisation(self) -> Reorganisation:
        """A planned rename of 人事課, effective today: it can be applied or cancelled."""
        existing = Reorganisation.objects.first()
        if existing is not None:
            return existing
        return plan_reorganisation(
            kind="rename",
            effective_date=timezone.localdate(),
            sources=[self.jinji],
            new_name="人事給与課",
            user=self.users["administrator"],  # type: ignore[arg-type]
        )

    def export_job(self, ownership: str) -> ExportJob:
        """A finished background download of ICT戦略課 staff (own) or 人事課 staff (other)
        over their own audit: only its owner ever reaches it."""
        owner = self.users["staff"] if ownership == "own" else self.jinji_staff
        assert owner is not None
        existing = ExportJob.objects.filter(user=owner).first()
        if existing is not None:
            return existing
        job = ExportJob.objects.create(
            user=owner, format="csv", query=f"audit={self.audit(ownership).pk}"
        )
        return run_export(job.pk)

    def round(self, ownership: str) -> ReportingRound:
        """A reporting round over the own (ICT戦略課) or the other (人事課) audit."""
        audit = self.audit(ownership)
        existing = ReportingRound.objects.filter(audit=audit).first()
        if existing is not None:
            return existing
        return open_round(
            name=f"照会 {ownership}",
            audit=audit,
            base_date=datetime.date(2021, 9, 30),
            deadline=datetime.date(2021, 10, 15),
            user=self.users["auditor"],  # type: ignore[arg-type]
        )


def make_entry_with_file(finding: Finding, user: User, name: str, content: str) -> RemediationEntry:
    return record_entry(
        finding,
        status=RemediationStatus.objects.get(code="keizoku"),
        entry_date=datetime.date(2021, 9, 30),
        content=content,
        user=user,
        files=[CheckedFile(SimpleUploadedFile(name, PDF), "application/pdf")],
    )


@pytest.fixture
def world(
    ict, jinji, audit, section, viewpoint, kinds, make_finding, auditor, ict_staff, jinji_staff,
    manager, administrator, committee,
) -> World:  # fmt: skip
    own_finding = make_finding(label="①", title=f"サーバ室の整理 {OWN_FINDING_MARKER}")
    shared_finding = make_finding(
        label="②", title=f"人事記録の持ち出し {OTHER_FINDING_MARKER}", departments=[jinji]
    )
    other_audit = create_audit(
        fiscal_year=2021,
        kinds=[AuditKind.objects.get(name="財務監査")],
        theme=f"人事課の監査 {OTHER_AUDIT_MARKER}",
        audited_departments=[jinji],
        period_start=datetime.date(2021, 8, 1),
        user=auditor,
    )
    other_section = add_section(other_audit, number="1", title="人事課の節", user=auditor)
    other_viewpoint = add_viewpoint(other_audit, number="(1)", text="人事課の着眼点", user=auditor)

    def other(label: str) -> Finding:
        return add_finding(
            other_audit,
            kind=kinds["shiteki"],
            section=other_section,
            viewpoint=other_viewpoint,
            label=label,
            title=f"給与台帳の管理 {OTHER_FINDING_MARKER}",
            body=f"台帳を施錠保管すること。{OTHER_FINDING_MARKER}",
            departments=[jinji],
            user=auditor,
        )

    return World(
        ict=ict,
        jinji=jinji,
        own_audit=audit,
        other_audit=other_audit,
        own_finding=own_finding,
        shared_finding=shared_finding,
        other_finding=other("①"),
        other_sibling=other("②"),
        users={
            "anonymous": None,
            # A department alone grants nothing: the no-role user sits in ICT戦略課.
            "no_role": make_user(None, ict, "no_role"),
            "staff": ict_staff,
            "manager": manager,
            "committee": committee,
            "auditor": auditor,
            "administrator": administrator,
        },
        jinji_staff=jinji_staff,
    )


@pytest.fixture
def world_with_entries(world: World) -> World:
    """Both departments' findings with an entry and an evidence file."""
    world.evidence("own")
    world.evidence("other")
    return world


# --- payloads: what a legitimate form submission would send ---------------------------


def _audit_form(w: World, ownership: str, theme: str) -> dict[str, Any]:
    audit = w.audit(ownership)
    return {
        "fiscal_year": str(audit.fiscal_year),
        "kinds": [str(k.pk) for k in audit.kinds.all()],
        "theme": theme,
        "audited_departments": [str(d.pk) for d in audit.audited_departments.all()],
        "period_start": str(audit.period_start),
        "finding_kinds": [str(k.pk) for k in FindingKind.objects.all()],
    }


def _audit_create(w: World, ownership: str) -> dict[str, Any]:
    return _audit_form(w, "own", "新しく作った監査")


def _finding_form(w: World, ownership: str) -> dict[str, Any]:
    audit = w.audit(ownership)
    department = w.ict if ownership == "own" else w.jinji
    return {
        "kind": str(FindingKind.objects.get(code="shiteki").pk),
        "section": str(audit.sections.get().pk),
        "label": "⑨",
        "title": "マトリクスで書き換えた件名",
        "body": "マトリクスで書き換えた本文。",
        "departments": [str(department.pk)],
        "subclass": "",
        "due_date": "",
        "finish": "1",
    }


def _finding_edit(w: World, ownership: str) -> dict[str, Any]:
    finding = w.finding(ownership)
    data = _finding_form(w, "own" if finding.audit_id == w.own_audit.pk else "other")
    data["departments"] = [str(d.pk) for d in finding.departments.all()]
    data["viewpoint"] = str(finding.viewpoint_id or "")
    return data


def _entry(w: World, ownership: str) -> dict[str, Any]:
    return {
        "status": str(RemediationStatus.objects.get(code="sochizumi").pk),
        "entry_date": "2021-09-30",
        "content": "マトリクスから記録した措置。",
    }


def _nothing(w: World, ownership: str) -> dict[str, Any]:
    return {}


# --- URL builders ----------------------------------------------------------------------


def _plain(name: str, *args: object) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=args)


def _of_audit(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[w.audit(ownership).pk])


def _of_audit_as(name: str, fmt: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[w.audit(ownership).pk, fmt])


def _of_finding(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[w.finding(ownership).pk])


def _of_evidence(w: World, ownership: str) -> str:
    return reverse("evidence_download", args=[w.evidence(ownership).pk])


def _of_export_job(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[w.export_job(ownership).pk])


def _report(name: str, *args: object) -> Callable[[World, str], str]:
    return lambda w, ownership: (
        reverse(name, args=args) + "?" + urlencode({"audit": w.audit(ownership).pk})
    )


# --- rows of the audit's structure and of the class vocabulary --------------------------------
# Made when the URL is built (before the snapshot), two of each so a move really moves: the
# first ("M1") is unused, so a delete goes through, and moving it down swaps it with "M2".


def _structure_rows(w: World, ownership: str, what: str) -> Model:
    audit = w.audit(ownership)
    made: list[Model] = []
    for number in ("M1", "M2"):
        if what == "section":
            made.append(
                Section.objects.get_or_create(
                    audit=audit, number=number, defaults={"title": "節", "sort_order": 50}
                )[0]
            )
        elif what == "key_risk":
            made.append(
                KeyRisk.objects.get_or_create(
                    audit=audit, number=number, defaults={"title": "リスク", "sort_order": 50}
                )[0]
            )
        elif what == "viewpoint":
            made.append(
                Viewpoint.objects.get_or_create(
                    audit=audit, number=number, key_risk=None, defaults={"text": "着眼点"}
                )[0]
            )
        else:
            made.append(
                AuditedSystem.objects.get_or_create(
                    audit=audit, name=number, defaults={"sort_order": 50}
                )[0]
            )
    return made[0]


def _of_structure(name: str, what: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(
        name, args=[w.audit(ownership).pk, _structure_rows(w, ownership, what).pk]
    )


def _report_rows(w: World, ownership: str, what: str) -> Model:
    """Two rows of the audit report's own lists (same day for the schedule, so a move moves)."""
    audit = w.audit(ownership)
    made: list[Model] = []
    for number in ("M1", "M2"):
        if what == "schedule":
            made.append(
                ScheduleItem.objects.get_or_create(
                    audit=audit,
                    category=number,
                    defaults={"date": datetime.date(2021, 2, 10), "sort_order": 50},
                )[0]
            )
        elif what == "overall_comment":
            made.append(
                OverallComment.objects.get_or_create(
                    audit=audit, heading=number, defaults={"body": "総評", "sort_order": 50}
                )[0]
            )
        else:
            made.append(
                Commendation.objects.get_or_create(
                    audit=audit, text=number, defaults={"sort_order": 50}
                )[0]
            )
    return made[0]


def _of_report_row(name: str, what: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(
        name, args=[w.audit(ownership).pk, _report_rows(w, ownership, what).pk]
    )


def _class_rows(what: str) -> Model:
    first, second = (
        FindingKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": 90})[0]
        for code, name in (("m1", "マトリクス区分1"), ("m2", "マトリクス区分2"))
    )
    if what == "finding_kind":
        return first
    if what == "finding_subclass":
        subclasses = [
            FindingSubclass.objects.get_or_create(kind=second, name=name)[0]
            for name in ("甲", "乙")
        ]
        return subclasses[0]
    kinds = [
        AuditKind.objects.get_or_create(name=name, defaults={"sort_order": 90})[0]
        for name in ("マトリクス種類1", "マトリクス種類2")
    ]
    return kinds[0]


def _of_class(name: str, what: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[_class_rows(what).pk])


# --- self-inspection rounds: "own" asks ICT戦略課, "other" asks 人事課 only ---------------


def _inspection(w: World, ownership: str) -> InspectionRound:
    name = f"点検 {ownership}" + ("" if ownership == "own" else f" {OTHER_AUDIT_MARKER}")
    existing = InspectionRound.objects.filter(name=name).first()
    if existing is not None:
        return existing
    auditor: User = w.users["auditor"]  # type: ignore[assignment]
    checklist = inspection_services.create_checklist(
        fiscal_year=2021, name=f"点検票 {ownership}", user=auditor
    )
    category = inspection_services.add_category(
        checklist, number="(1)", title="巡回の実施", user=auditor
    )
    inspection_services.add_item(
        category, number="①", question="巡回の実施", result_phrase="巡回が実施されている",
        user=auditor,
    )  # fmt: skip
    return inspection_services.open_inspection_round(
        name=name,
        fiscal_year=2021,
        kind="self",
        checklist=checklist,
        departments=[w.ict if ownership == "own" else w.jinji],
        start_date=datetime.date(2021, 7, 1),
        deadline=datetime.date(2021, 8, 31),
        user=auditor,
    )


def _inspection_department(w: World, ownership: str) -> Department:
    return w.ict if ownership == "own" else w.jinji


def _inspection_item(w: World, ownership: str) -> ChecklistItem:
    return ChecklistItem.objects.get(category__checklist=_inspection(w, ownership).checklist)


def _answer_payload(w: World, ownership: str) -> dict[str, Any]:
    item = _inspection_item(w, ownership)
    return {f"item_{item.pk}": str(item.options.get(label="実施").pk)}


def _submitted(w: World, ownership: str) -> str:
    """A round whose department has submitted (the review's URL)."""
    round_ = _inspection(w, ownership)
    department = _inspection_department(w, ownership)
    if not InspectionResponse.objects.filter(round=round_).exists():
        auditor: User = w.users["auditor"]  # type: ignore[assignment]
        inspection_services.save_answers(
            round_,
            department,
            {
                int(k[5:]): inspection_services.AnswerInput(int(v))
                for k, v in _answer_payload(w, ownership).items()
            },
            user=auditor,
        )
        inspection_services.submit_response(round_, department, user=auditor)
    return reverse("response_review", args=[round_.pk, department.pk])


def _unused_checklist() -> Checklist:
    checklist, _ = Checklist.objects.get_or_create(fiscal_year=2022, name="未使用の点検票")
    if not checklist.categories.exists():
        checklist.categories.create(number="(1)", title="分類")
    return checklist


def _unused_item() -> ChecklistItem:
    category = _unused_checklist().categories.get(number="(1)")
    item = category.items.first()
    if item is None:
        item = category.items.create(number="①", question="消す項目", result_phrase="実施")
    return item


def _empty_category() -> Any:
    return _unused_checklist().categories.get_or_create(number="(8)", defaults={"title": "空"})[0]


def _visit(w: World) -> VisitInvestigation:
    existing = VisitInvestigation.objects.first()
    if existing is not None:
        return existing
    return inspection_services.create_visit(
        name="訪問調査 マトリクス", fiscal_year=2021, departments=[w.jinji],
        user=w.users["auditor"],  # type: ignore[arg-type]
    )  # fmt: skip


def _of_inspection(name: str) -> Callable[[World, str], str]:
    return lambda w, o: reverse(name, args=[_inspection(w, o).pk])


def _of_inspection_as(name: str, fmt: str) -> Callable[[World, str], str]:
    return lambda w, o: reverse(name, args=[_inspection(w, o).pk, fmt])


def _shiteki_pk() -> int:
    return FindingKind.objects.get(code="shiteki").pk


def _fixed(data: dict[str, str]) -> Callable[[World, str], dict[str, Any]]:
    return lambda w, ownership: dict(data)


STRUCTURE_EDITS: dict[str, dict[str, str]] = {
    "section": {"number": "M1", "title": "書き換えた節"},
    "key_risk": {"number": "M1", "title": "書き換えた重要リスク"},
    "viewpoint": {"number": "M1", "text": "書き換えた着眼点", "key_risk": ""},
    "system": {"name": "書き換えたシステム", "department": ""},
}
REPORT_ROW_EDITS: dict[str, dict[str, str]] = {
    "schedule": {"date": "2021-02-11", "category": "書き換えた区分", "content": ""},
    "overall_comment": {"heading": "書き換えた見出し", "body": "書き換えた総評"},
    "commendation": {"text": "書き換えた推奨する点"},
}
CLASS_EDITS: dict[str, dict[str, str]] = {
    "audit_kind": {"name": "書き換えた種類"},
    "finding_kind": {"name": "書き換えた区分", "heading": ""},
    "finding_subclass": {"name": "書き換えた細区分"},
}


def _transfer_file(w: World, ownership: str) -> dict[str, Any]:
    """A valid 人事異動 list of one row: it is only previewed, nothing changes."""
    staff = w.jinji_staff
    assert staff is not None
    text = f"ログインID,氏名,新所属,役割,発令日\n{staff.username},{staff.display_name},ict,,2025-04-01\n"
    return {"file": SimpleUploadedFile("idou.csv", text.encode(), "text/csv")}


def _import_file(w: World, ownership: str) -> dict[str, Any]:
    """The import template: previewed only (a rolled-back dry run), nothing changes."""
    from imports.layout import template_workbook

    return {"file": SimpleUploadedFile("sochi.xlsx", template_workbook())}


def _of_reorganisation(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[w.reorganisation().pk])


def _person_form(w: World, ownership: str, username: str) -> dict[str, Any]:
    return {
        "username": username,
        "display_name": "マトリクス 職員",
        "employee_number": "",
        "email": "",
        "role": "所管課担当",
        "departments": [str(w.jinji.pk)],
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


# --- the table ---------------------------------------------------------------------------

NONE = ("-",)
AUDIT_OBJECTS = ("own", "other")
FINDING_OBJECTS = ("own", "other", "shared")
EVIDENCE_OBJECTS = ("own", "other")

# Auditors' editing pages: 404 for anyone who may not edit, whatever the method.
EDITORS_GET = row(LOGIN, E404, E404, E404, E404, OK, OK)
EDITORS_POST = EDITORS_GET
POST_ONLY_EDITORS_GET = row(LOGIN, E404, E404, E404, E404, E405, E405)
# Reading one object: staff only their department's, no role nothing.
READ_ONE = row(LOGIN, E404, OK, E404, OK, OK, OK)
# The 管理者's organisation pages: 404 for everyone else, whatever the method.
ADMINS = row(LOGIN, E404, E404, E404, E404, E404, OK)
ADMINS_POST_ONLY = row(LOGIN, E404, E404, E404, E404, E404, E405)


@dataclass(frozen=True)
class Case:
    """One URL (or one fixed value of a URL's argument, like the export format)."""

    case_id: str
    url_name: str
    build: Callable[[World, str], str]
    ownerships: tuple[str, ...]
    get: dict[str, Outcome]
    post: dict[str, Outcome]
    payload: Callable[[World, str], dict[str, Any]] = _nothing
    post_changes_data: bool = False  # an allowed POST must change the database


CASES: tuple[Case, ...] = (
    # config/urls.py
    Case(
        "home", "home", _plain("home"), NONE,
        get=row(LOGIN, E403, OK, OK, OK, OK, OK),
        post=same(E405),
    ),
    Case(
        "login", "login", _plain("login"), NONE,
        # Signed-in users are sent on to their start page.
        get=row(OK, OK, OK, OK, OK, OK, OK),
        post=row(OK, OK, OK, OK, OK, OK, OK),
        payload=lambda w, o: {"username": "auditor", "password": "wrong-password"},
    ),
    Case(
        "logout", "logout", _plain("logout"), NONE,
        get=row(LOGIN, E405, E405, E405, E405, E405, E405),
        post=row(LOGIN, OUT, OUT, OUT, OUT, OUT, OUT),
    ),
    Case(
        "health", "health", _plain("health"), NONE,
        # The proxy's probe has no session: open to all, read-only.
        get=row(OK, OK, OK, OK, OK, OK, OK),
        post=row(E405, E405, E405, E405, E405, E405, E405),
    ),
    Case(
        "password_change", "password_change", _plain("password_change"), NONE,
        get=same(OK),
        post=same(OK),
        payload=lambda w, o: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        post_changes_data=True,
    ),
    Case(
        "password_change_done", "password_change_done", _plain("password_change_done"), NONE,
        get=same(OK),
        post=same(E405),
    ),
    Case("dashboard", "dashboard", _plain("dashboard"), NONE, get=same(OK), post=same(E405)),
    # accounts/urls.py: each user's own second factor (MFA is off here, as in the demo:
    # the verify page sends someone without an app on to set one up), and the lockouts
    # that only 管理者 see.
    Case("mfa_settings", "mfa_settings", _plain("mfa_settings"), NONE, get=same(OK), post=same(E405)),
    Case(
        "mfa_setup", "mfa_setup", _plain("mfa_setup"), NONE,
        get=same(OK),
        # A wrong code: the form again, nothing registered.
        post=same(OK),
        payload=lambda w, o: {"code": "000000"},
    ),
    Case(
        "mfa_verify", "mfa_verify", _plain("mfa_verify"), NONE,
        get=same(OK), post=same(OK), payload=lambda w, o: {"code": "000000"},
    ),
    Case(
        "mfa_recovery_codes", "mfa_recovery_codes", _plain("mfa_recovery_codes"), NONE,
        get=same(E405), post=same(OK),
    ),
    Case("mfa_remove", "mfa_remove", _plain("mfa_remove"), NONE, get=same(E405), post=same(OK)),
    Case(
        "mfa_reset", "mfa_reset", _plain("mfa_reset"), NONE,
        get=row(LOGIN, E404, E404, E404, E404, E404, E405),
        post=row(LOGIN, E404, E404, E404, E404, E404, OK),
        payload=lambda w, o: {"username": "auditor"},
    ),
    Case(
        "lockout_list", "lockout_list", _plain("lockout_list"), NONE,
        get=row(LOGIN, E404, E404, E404, E404, E404, OK),
        post=row(LOGIN, E404, E404, E404, E404, E404, E405),
    ),
    Case(
        "lockout_unlock", "lockout_unlock", _plain("lockout_unlock"), NONE,
        get=row(LOGIN, E404, E404, E404, E404, E404, E405),
        post=row(LOGIN, E404, E404, E404, E404, E404, OK),
        payload=lambda w, o: {"username": "someone"},
    ),
    # audits/urls.py
    # The date widget's reading of a typed date: reads no data, so every signed-in user.
    Case(
        "date_understand", "date_understand",
        lambda w, o: reverse("date_understand") + "?text=R3.9.30", NONE,
        get=same(OK), post=same(E405),
    ),
    Case("audit_list", "audit_list", _plain("audit_list"), NONE, get=same(OK), post=same(E405)),
    Case(
        "audit_create", "audit_create", _plain("audit_create"), NONE,
        get=EDITORS_GET, post=EDITORS_POST, payload=_audit_create, post_changes_data=True,
    ),
    Case(
        "audit_detail", "audit_detail", _of_audit("audit_detail"), AUDIT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    Case(
        "audit_edit", "audit_edit", _of_audit("audit_edit"), AUDIT_OBJECTS,
        get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: _audit_form(w, o, "書き換えた監査のテーマ"),
        post_changes_data=True,
    ),
    Case(
        "section_add", "section_add", _of_audit("section_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"section-number": "9", "section-title": "追加した節"},
        post_changes_data=True,
    ),
    Case(
        "key_risk_add", "key_risk_add", _of_audit("key_risk_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"risk-number": "R9", "risk-title": "追加した重要リスク"},
        post_changes_data=True,
    ),
    Case(
        "viewpoint_add", "viewpoint_add", _of_audit("viewpoint_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {
            "viewpoint-number": "(9)", "viewpoint-text": "追加した着眼点", "viewpoint-key_risk": ""
        },
        post_changes_data=True,
    ),
    Case(
        "system_add", "system_add", _of_audit("system_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"system-name": "追加したシステム", "system-department": ""},
        post_changes_data=True,
    ),
    *(
        case
        for what in ("section", "key_risk", "viewpoint", "system")
        for case in (
            Case(
                f"{what}_edit", f"{what}_edit", _of_structure(f"{what}_edit", what),
                AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST,
                payload=_fixed(STRUCTURE_EDITS[what]), post_changes_data=True,
            ),
            Case(
                f"{what}_move", f"{what}_move", _of_structure(f"{what}_move", what),
                AUDIT_OBJECTS, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
                payload=lambda w, o: {"direction": "down"}, post_changes_data=True,
            ),
            Case(
                f"{what}_delete", f"{what}_delete", _of_structure(f"{what}_delete", what),
                AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
            ),
        )
    ),
    Case(
        "audit_report_content", "audit_report_content", _of_audit("audit_report_content"),
        AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"report_title": "書き換えた表題", "report_date_precision": "day"},
        post_changes_data=True,
    ),
    Case(
        "schedule_add", "schedule_add", _of_audit("schedule_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"schedule-date": "2021-02-10", "schedule-category": "予備調査"},
        post_changes_data=True,
    ),
    Case(
        "overall_comment_add", "overall_comment_add", _of_audit("overall_comment_add"),
        AUDIT_OBJECTS, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"comment-heading": "", "comment-body": "追加した総評"},
        post_changes_data=True,
    ),
    Case(
        "commendation_add", "commendation_add", _of_audit("commendation_add"), AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"commendation-text": "追加した推奨する点"},
        post_changes_data=True,
    ),
    *(
        case
        for what in ("schedule", "overall_comment", "commendation")
        for case in (
            Case(
                f"{what}_edit", f"{what}_edit", _of_report_row(f"{what}_edit", what),
                AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST,
                payload=_fixed(REPORT_ROW_EDITS[what]), post_changes_data=True,
            ),
            Case(
                f"{what}_move", f"{what}_move", _of_report_row(f"{what}_move", what),
                AUDIT_OBJECTS, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
                payload=lambda w, o: {"direction": "down"}, post_changes_data=True,
            ),
            Case(
                f"{what}_delete", f"{what}_delete", _of_report_row(f"{what}_delete", what),
                AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
            ),
        )
    ),
    # findings/urls.py: 区分の設定, for auditors and administrators alike.
    Case(
        "finding_classes", "finding_classes", _plain("finding_classes"), NONE,
        get=EDITORS_GET, post=POST_ONLY_EDITORS_GET,
    ),
    Case(
        "audit_kind_add", "audit_kind_add", _plain("audit_kind_add"), NONE,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"audit_kind-name": "追加した監査の種類"}, post_changes_data=True,
    ),
    Case(
        "finding_kind_add", "finding_kind_add", _plain("finding_kind_add"), NONE,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"kind-name": "勧告", "kind-heading": "勧 告"},
        post_changes_data=True,
    ),
    Case(
        "finding_subclass_add", "finding_subclass_add",
        lambda w, o: reverse("finding_subclass_add", args=[_shiteki_pk()]), NONE,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {f"subclass-{_shiteki_pk()}-name": "指導"},
        post_changes_data=True,
    ),
    *(
        case
        for what in ("audit_kind", "finding_kind", "finding_subclass")
        for case in (
            Case(
                f"{what}_edit", f"{what}_edit", _of_class(f"{what}_edit", what), NONE,
                get=EDITORS_GET, post=EDITORS_POST,
                payload=_fixed(CLASS_EDITS[what]), post_changes_data=True,
            ),
            Case(
                f"{what}_move", f"{what}_move", _of_class(f"{what}_move", what), NONE,
                get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
                payload=lambda w, o: {"direction": "down"}, post_changes_data=True,
            ),
            Case(
                f"{what}_delete", f"{what}_delete", _of_class(f"{what}_delete", what), NONE,
                get=EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
            ),
        )
    ),
    # findings/urls.py. The read views answer GET and HEAD only.
    Case(
        "finding_list", "finding_list", _plain("finding_list"), NONE, get=same(OK), post=same(E405)
    ),
    Case(
        "my_findings", "my_findings", _plain("my_findings"), NONE, get=same(OK), post=same(E405)
    ),
    Case(
        "finding_detail", "finding_detail", _of_finding("finding_detail"), FINDING_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    # findings/editing_urls.py
    Case(
        "finding_create", "finding_create", _of_audit("finding_create"), AUDIT_OBJECTS,
        get=EDITORS_GET, post=EDITORS_POST, payload=_finding_form, post_changes_data=True,
    ),
    Case(
        "finding_edit", "finding_edit", _of_finding("finding_edit"), FINDING_OBJECTS,
        get=EDITORS_GET, post=EDITORS_POST, payload=_finding_edit, post_changes_data=True,
    ),
    Case(
        "finding_delete", "finding_delete", _of_finding("finding_delete"), FINDING_OBJECTS,
        get=EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
    ),
    Case(
        "finding_move", "finding_move", _of_finding("finding_move"), FINDING_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        # Down for the first of two siblings, up for the second (shared_finding).
        payload=lambda w, o: {"direction": "down" if o != "shared" else "up"},
        post_changes_data=True,
    ),
    # remediation/urls.py. Managers see the finding but are told they may not record.
    Case(
        "entry_create", "entry_create", _of_finding("entry_create"), FINDING_OBJECTS,
        get=row(LOGIN, E404, OK, E404, E403, OK, OK),
        post=row(LOGIN, E404, OK, E404, E403, OK, OK),
        # A valid form only shows the confirmation step: nothing is recorded until it is
        # submitted with the token kept in the session (tests/followup/test_cycle.py).
        payload=_entry,
    ),
    # followup/urls.py: rounds for every role (staff see the ones that ask them),
    # opening and reviewing for the audit office only.
    Case("round_list", "round_list", _plain("round_list"), NONE, get=same(OK), post=same(E405)),
    Case(
        "round_create", "round_create", _plain("round_create"), NONE,
        get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {
            "name": "マトリクスの照会", "audit": str(w.own_audit.pk),
            "base_date": "2021-09-30", "deadline": "2021-10-15",
        },
        post_changes_data=True,
    ),
    Case(
        "round_detail", "round_detail",
        lambda w, o: reverse("round_detail", args=[w.round(o).pk]), AUDIT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    Case(
        "review_queue", "review_queue", _plain("review_queue"), NONE,
        get=EDITORS_GET, post=POST_ONLY_EDITORS_GET,
    ),
    Case(
        "review_submit", "review_submit",
        lambda w, o: reverse("review_submit", args=[w.evidence(o).entry_id]), EVIDENCE_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"decision": "accepted"},
        post_changes_data=True,
    ),
    Case(
        "evidence_download", "evidence_download", _of_evidence, EVIDENCE_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    # reports/urls.py: the audit is a GET parameter; a foreign one is "not a choice".
    Case(
        "report_preview", "report_preview", _report("report_preview"), AUDIT_OBJECTS,
        get=row(LOGIN, FIELD, OK, FIELD, OK, OK, OK), post=same(E405),
    ),
    *(
        Case(
            f"report_export.{fmt}", "report_export", _report("report_export", fmt),
            AUDIT_OBJECTS,
            get=row(LOGIN, E400, OK, E400, OK, OK, OK), post=same(E405),
        )
        for fmt in ("pdf", "xlsx", "csv", "table")
    ),
    # history/urls.py: the audit log, for auditors and administrators only (fail closed).
    Case(
        "log_list", "log_list", _plain("log_list"), NONE,
        get=row(LOGIN, E404, E404, E404, E404, OK, OK),
        post=row(LOGIN, E404, E404, E404, E404, E405, E405),
    ),
    Case(
        "report_export.unknown", "report_export", _report("report_export", "docx"),
        AUDIT_OBJECTS, get=same(E404), post=same(E405),
    ),
    # Downloads made in the background: everyone with a role has a list of their own;
    # a job (and its file) is its owner's alone, 404 for everybody else.
    Case(
        "download_list", "download_list", _plain("download_list"), NONE,
        get=row(LOGIN, E404, OK, OK, OK, OK, OK),
        post=row(LOGIN, E404, E405, E405, E405, E405, E405),
    ),
    *(
        Case(
            name, name, _of_export_job(name), AUDIT_OBJECTS,
            get=row(LOGIN, E404, OK, E404, E404, E404, E404),
            post=row(LOGIN, E404, E405, E405, E405, E405, E405),
        )
        for name in ("download_detail", "download_file")
    ),
    # The audit report (監査報告書): whoever may read the audit, like the audit page.
    Case(
        "audit_summary", "audit_summary", _of_audit("audit_summary"), AUDIT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    *(
        Case(
            f"audit_summary_export.{fmt}", "audit_summary_export",
            _of_audit_as("audit_summary_export", fmt), AUDIT_OBJECTS,
            get=READ_ONE, post=same(E405),
        )
        for fmt in ("pdf",)
    ),
    # organisation/urls.py: the 管理者's pages; the handover view for whoever sees the
    # department.
    Case(
        "department_tree", "department_tree", _plain("department_tree"), NONE,
        get=ADMINS, post=ADMINS_POST_ONLY,
    ),
    Case(
        "department_create", "department_create", _plain("department_create"), NONE,
        get=ADMINS, post=ADMINS,
        payload=lambda w, o: {
            "name": "新設課", "code": "shinsetsu", "parent": str(w.ict.parent_id),
            "sort_order": "5",
        },
        post_changes_data=True,
    ),
    Case(
        "department_edit", "department_edit",
        lambda w, o: reverse("department_edit", args=[w.jinji.pk]), NONE,
        get=ADMINS, post=ADMINS,
        payload=lambda w, o: {
            "name": "人事給与課", "code": "jinji", "parent": str(w.jinji.parent_id),
            "sort_order": "3",
        },
        post_changes_data=True,
    ),
    Case(
        "department_retire", "department_retire",
        lambda w, o: reverse("department_retire", args=[w.spare().pk]), NONE,
        get=ADMINS, post=ADMINS, post_changes_data=True,
    ),
    Case(
        "department_handover", "department_handover",
        lambda w, o: reverse("department_handover", args=[w.department(o).pk]), AUDIT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    Case(
        "reorganisation_list", "reorganisation_list", _plain("reorganisation_list"), NONE,
        get=ADMINS, post=ADMINS_POST_ONLY,
    ),
    Case(
        "reorganisation_create", "reorganisation_create", _plain("reorganisation_create"), NONE,
        get=ADMINS, post=ADMINS,
        payload=lambda w, o: {
            "kind": "abolish", "effective_date": timezone.localdate().isoformat(),
            "sources": [str(w.spare().pk)], "targets": [str(w.jinji.pk)],
            "new_name": "", "new_parent": "", "note": "",
        },
        post_changes_data=True,
    ),
    Case(
        "reorganisation_detail", "reorganisation_detail",
        lambda w, o: reverse("reorganisation_detail", args=[w.reorganisation().pk]), NONE,
        get=ADMINS, post=ADMINS_POST_ONLY,
    ),
    *(
        Case(
            name, name, _of_reorganisation(name), NONE,
            get=ADMINS_POST_ONLY, post=ADMINS, post_changes_data=True,
        )
        for name in ("reorganisation_apply", "reorganisation_cancel")
    ),
    Case(
        "person_list", "person_list", _plain("person_list"), NONE,
        get=ADMINS, post=ADMINS_POST_ONLY,
    ),
    Case(
        "person_create", "person_create", _plain("person_create"), NONE,
        get=ADMINS, post=ADMINS,
        payload=lambda w, o: _person_form(w, o, "matrix_new"),
        post_changes_data=True,
    ),
    Case(
        "person_edit", "person_edit",
        lambda w, o: reverse("person_edit", args=[w.jinji_staff.pk]), NONE,  # type: ignore[union-attr]
        get=ADMINS, post=ADMINS,
        payload=lambda w, o: _person_form(w, o, "jinji_staff_renamed"),
        post_changes_data=True,
    ),
    Case(
        "person_password", "person_password",
        lambda w, o: reverse("person_password", args=[w.jinji_staff.pk]), NONE,  # type: ignore[union-attr]
        get=ADMINS_POST_ONLY, post=ADMINS,
        payload=lambda w, o: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        post_changes_data=True,
    ),
    Case(
        "person_active", "person_active",
        lambda w, o: reverse("person_active", args=[w.jinji_staff.pk]), NONE,  # type: ignore[union-attr]
        get=ADMINS_POST_ONLY, post=ADMINS,
        payload=lambda w, o: {"active": "0"},
        post_changes_data=True,
    ),
    Case(
        "transfer_upload", "transfer_upload", _plain("transfer_upload"), NONE,
        get=ADMINS, post=ADMINS, payload=_transfer_file,
    ),
    Case(
        "transfer_apply", "transfer_apply", _plain("transfer_apply"), NONE,
        # Without a previewed list in the session nothing is applied.
        get=ADMINS_POST_ONLY, post=ADMINS, payload=lambda w, o: {"token": "guessed"},
    ),
    Case(
        "transfer_template", "transfer_template", _plain("transfer_template"), NONE,
        get=ADMINS, post=ADMINS_POST_ONLY,
    ),
    # imports/urls.py: the audit office imports past 措置状況 (a preview writes nothing).
    Case(
        "import_upload", "import_upload", _plain("import_upload"), NONE,
        get=EDITORS_GET, post=EDITORS_POST, payload=_import_file,
    ),
    Case(
        "import_apply", "import_apply", _plain("import_apply"), NONE,
        # Without a previewed file in the session nothing is imported.
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST, payload=lambda w, o: {"token": "guessed"},
    ),
    Case(
        "import_template", "import_template", _plain("import_template"), NONE,
        get=EDITORS_GET, post=POST_ONLY_EDITORS_GET,
    ),
    Case(
        "audit_summary_export.unknown", "audit_summary_export",
        _of_audit_as("audit_summary_export", "xlsx"), AUDIT_OBJECTS,
        get=same(E404), post=same(E405),
    ),
    # inspections/urls.py: checklists, visits and reviews for the audit office (managers
    # read checklists and visits); rounds and answers scoped to the departments asked.
    Case(
        "inspection_list", "inspection_list", _plain("inspection_list"), NONE,
        get=same(OK), post=same(E405),
    ),
    Case(
        "checklist_create", "checklist_create", _plain("checklist_create"), NONE,
        get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"fiscal_year": "2021", "name": "マトリクスの点検票"},
        post_changes_data=True,
    ),
    Case(
        "checklist_detail", "checklist_detail",
        lambda w, o: reverse("checklist_detail", args=[_inspection(w, "own").checklist_id]),
        NONE, get=row(LOGIN, E404, E404, E404, OK, OK, OK), post=same(E405),
    ),
    Case(
        "checklist_copy", "checklist_copy",
        lambda w, o: reverse("checklist_copy", args=[_inspection(w, "own").checklist_id]),
        NONE, get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"fiscal_year": "2022", "name": "複写した点検票"},
        post_changes_data=True,
    ),
    Case(
        "category_add", "category_add",
        lambda w, o: reverse("category_add", args=[_unused_checklist().pk]), NONE,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"category-number": "(9)", "category-title": "追加した分類"},
        post_changes_data=True,
    ),
    Case(
        "item_add", "item_add",
        lambda w, o: reverse("item_add", args=[_unused_checklist().pk]), NONE,
        get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {
            "category": str(_unused_checklist().categories.get(number="(1)").pk), "number": "⑨",
            "question": "追加した項目", "result_phrase": "実施されている",
            "options": "実施\n未実施*", "allows_other_text": "on",
        },
        post_changes_data=True,
    ),
    Case(
        "item_delete", "item_delete",
        lambda w, o: reverse(
            "item_delete", args=[_unused_checklist().pk, _unused_item().pk]
        ),
        NONE, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
    ),
    Case(
        "category_delete", "category_delete",
        lambda w, o: reverse(
            "category_delete", args=[_unused_checklist().pk, _empty_category().pk]
        ),
        NONE, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
    ),
    Case(
        "inspection_round_create", "inspection_round_create",
        # The checklist the payload names is made with the URL, before the snapshot.
        lambda w, o: (_inspection(w, "own"), reverse("inspection_round_create"))[1], NONE, get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {
            "name": "マトリクスの点検", "fiscal_year": "2021", "kind": "self",
            "checklist": str(_inspection(w, "own").checklist_id),
            "departments": [str(w.ict.pk)], "start_date": "2021-07-01",
            "deadline": "2021-08-31",
        },
        post_changes_data=True,
    ),
    Case(
        "inspection_round_detail", "inspection_round_detail",
        _of_inspection("inspection_round_detail"), AUDIT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    Case(
        "response_form", "response_form",
        lambda w, o: reverse(
            "response_form", args=[_inspection(w, o).pk, _inspection_department(w, o).pk]
        ),
        AUDIT_OBJECTS, get=READ_ONE,
        # Staff answer for their own department, the office may type a paper answer in;
        # managers only read.
        post=row(LOGIN, E404, OK, E404, E404, OK, OK),
        payload=_answer_payload, post_changes_data=True,
    ),
    Case(
        "response_review", "response_review", _submitted, AUDIT_OBJECTS,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"decision": "accept"}, post_changes_data=True,
    ),
    Case(
        "inspection_results", "inspection_results", _of_inspection("inspection_results"),
        AUDIT_OBJECTS, get=READ_ONE, post=same(E405),
    ),
    *(
        Case(
            f"inspection_results_export.{fmt}", "inspection_results_export",
            _of_inspection_as("inspection_results_export", fmt),
            AUDIT_OBJECTS, get=READ_ONE, post=same(E405),
        )
        for fmt in ("pdf", "xlsx", "csv")
    ),
    Case(
        "inspection_results_export.unknown", "inspection_results_export",
        lambda w, o: reverse("inspection_results_export", args=[_inspection(w, o).pk, "docx"]),
        AUDIT_OBJECTS, get=same(E404), post=same(E405),
    ),
    Case(
        "item_note", "item_note",
        lambda w, o: reverse(
            "item_note", args=[_inspection(w, o).pk, _inspection_item(w, o).pk]
        ),
        AUDIT_OBJECTS, get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"other_lines": "選んだ回答", "direction": "今後の方向性"},
        post_changes_data=True,
    ),
    Case(
        "visit_create", "visit_create", _plain("visit_create"), NONE,
        get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {
            "name": "マトリクスの訪問調査", "fiscal_year": "2021", "departments": [str(w.ict.pk)],
        },
        post_changes_data=True,
    ),
    Case(
        "visit_detail", "visit_detail", lambda w, o: reverse("visit_detail", args=[_visit(w).pk]),
        NONE, get=row(LOGIN, E404, E404, E404, OK, OK, OK), post=same(E405),
    ),
)  # fmt: skip

# --- incidents/urls.py: the security incident register ------------------------------------
# Made when a URL is built (before the snapshot): an ICT戦略課 incident and a 人事課 one, each
# with one 再発防止策 (a finding of the year's register audit), both in 平成26年度.


def _incident(w: World, ownership: str) -> Incident:
    department = w.ict if ownership == "own" else w.jinji
    existing = Incident.objects.filter(department=department).first()
    if existing is not None:
        return existing
    marker = OWN_FINDING_MARKER if ownership == "own" else OTHER_FINDING_MARKER
    return report_incident(
        user=w.users["auditor"],
        measures=[f"送付前に二人で確認する。{marker}"],
        **_incident_fields(w, ownership, f"申請書の誤送付 {marker}"),
    )


def _incident_fields(w: World, ownership: str, title: str) -> Any:
    return {
        "title": title,
        "incident_type": IncidentType.objects.get_or_create(name="誤送付")[0],
        "department": w.ict if ownership == "own" else w.jinji,
        "reported_on": datetime.date(2014, 8, 7),
        "occurred_from": datetime.date(2014, 8, 1),
        "occurred_to": None,
        "record_count": 12,
        "record_unit": "件",
        "confidentiality": True,
        "integrity": False,
        "availability": False,
        "summary": "申請書を別の世帯に送付した。",
        "note": "",
        "cause": "封入時の確認漏れ。",
        "press_release_on": None,
        "citizen_response": "",
    }


def _incident_form(w: World, ownership: str, title: str) -> dict[str, Any]:
    fields = _incident_fields(w, ownership, title)
    return {
        "title": title,
        "incident_type": str(fields["incident_type"].pk),
        "department": str(fields["department"].pk),
        "reported_on": "2014-08-20",
        "occurred_from": "2014-08",
        "occurred_to": "",
        "record_count": "12",
        "record_unit": "件",
        "classifications": ["confidentiality"],
        "summary": "申請書を別の世帯に送付した。",
        "note": "",
        "cause": "封入時の確認漏れ。",
        "press_release_on": "",
        "citizen_response": "",
        "measures": "宛名を読み上げて確認する。",
    }


def _of_incident(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[_incident(w, ownership).pk])


def _register(name: str, *args: object) -> Callable[[World, str], str]:
    """A register page with both departments' incidents in it (the leak check bites)."""

    def build(w: World, ownership: str) -> str:
        _incident(w, "own")
        _incident(w, "other")
        return reverse(name, args=args) + "?fiscal_year=2014"

    return build


def _incident_type_rows() -> IncidentType:
    first, _second = (
        IncidentType.objects.get_or_create(name=name, defaults={"sort_order": 90})[0]
        for name in ("マトリクス種別1", "マトリクス種別2")
    )
    return first


def _of_incident_type(name: str) -> Callable[[World, str], str]:
    return lambda w, ownership: reverse(name, args=[_incident_type_rows().pk])


INCIDENT_OBJECTS = ("own", "other")
# Reporting and changing: the audit office, and staff for their own department.
REPORTERS = row(LOGIN, E404, OK, E404, E404, OK, OK)

CASES += (
    Case(
        "incident_list", "incident_list", _register("incident_list"), NONE,
        get=same(OK), post=same(E405),
    ),
    *(
        Case(
            f"incident_export.{fmt}", "incident_export", _register("incident_export", fmt), NONE,
            get=same(OK), post=same(E405),
        )
        for fmt in ("pdf", "xlsx", "csv")
    ),
    Case(
        "incident_export.unknown", "incident_export", _register("incident_export", "docx"),
        NONE, get=same(E404), post=same(E405),
    ),
    Case(
        "incident_create", "incident_create", _plain("incident_create"), NONE,
        get=REPORTERS, post=REPORTERS,
        payload=lambda w, o: _incident_form(w, "own", "マトリクスで報告した障害"),
        post_changes_data=True,
    ),
    Case(
        "incident_detail", "incident_detail", _of_incident("incident_detail"), INCIDENT_OBJECTS,
        get=READ_ONE, post=same(E405),
    ),
    Case(
        "incident_edit", "incident_edit", _of_incident("incident_edit"), INCIDENT_OBJECTS,
        get=REPORTERS, post=REPORTERS,
        payload=lambda w, o: _incident_form(w, o, "マトリクスで書き換えた障害"),
        post_changes_data=True,
    ),
    Case(
        "measure_add", "measure_add", _of_incident("measure_add"), INCIDENT_OBJECTS,
        get=row(LOGIN, E404, E405, E405, E404, E405, E405), post=REPORTERS,
        payload=lambda w, o: {"text": "マトリクスで追加した再発防止策。"},
        post_changes_data=True,
    ),
    Case(
        "incident_types", "incident_types", _plain("incident_types"), NONE,
        get=EDITORS_GET, post=POST_ONLY_EDITORS_GET,
    ),
    Case(
        "incident_type_add", "incident_type_add", _plain("incident_type_add"), NONE,
        get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"name": "追加した種別"}, post_changes_data=True,
    ),
    Case(
        "incident_type_edit", "incident_type_edit", _of_incident_type("incident_type_edit"),
        NONE, get=EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"name": "書き換えた種別"}, post_changes_data=True,
    ),
    Case(
        "incident_type_move", "incident_type_move", _of_incident_type("incident_type_move"),
        NONE, get=POST_ONLY_EDITORS_GET, post=EDITORS_POST,
        payload=lambda w, o: {"direction": "down"}, post_changes_data=True,
    ),
    Case(
        "incident_type_delete", "incident_type_delete", _of_incident_type("incident_type_delete"),
        NONE, get=EDITORS_GET, post=EDITORS_POST, post_changes_data=True,
    ),
)  # fmt: skip

EXPECTED: dict[str, list[Case]] = {}
for _case in CASES:
    EXPECTED.setdefault(_case.url_name, []).append(_case)


def ownerships_for(role: str, case: Case) -> tuple[str, ...]:
    """Only department staff act differently on their own and on another department's
    objects: they get every object. The others see all departments (or none) alike, so
    one object is enough: a 人事課 one for the roles that see everything, an ICT戦略課 one
    (their own department) for the user without a role."""
    if role == "staff" or case.ownerships == NONE:
        return case.ownerships
    return ("own",) if role in ("anonymous", "no_role") else ("other",)


def _cells() -> list[Any]:
    return [
        pytest.param(
            case, ownership, role, method, id=f"{case.case_id}[{ownership}]-{role}-{method}"
        )
        for case in CASES
        for role in ROLES
        for ownership in ownerships_for(role, case)
        for method in ("GET", "POST")
    ]


# --- reading responses -----------------------------------------------------------------


def body_text(response: Any) -> str:
    """What a person would read in the response, whatever its format, plus its headers
    (a download's file name carries the audit's title)."""
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    content_type = response.get("Content-Type", "")
    if "pdf" in content_type:
        if content == PDF:  # an evidence file
            return headers
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        text = "".join(page.extract_text() for page in reader.pages)
        return headers + "".join(text.split())
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for line in sheet.iter_rows(values_only=True)
            for value in line
            if value is not None
        ]
        return headers + "\n".join(cells)
    return headers + content.decode("utf-8-sig", errors="replace")


def snapshot() -> dict[str, object]:
    """Everything a request could change that matters: counts and the editable fields."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Finding,
                RemediationEntry,
                Evidence,
                Audit,
                Section,
                Viewpoint,
                KeyRisk,
                EntryReview,
                ReportingRound,
                Incident,
                IncidentType,
                Checklist,
                InspectionRound,
                InspectionResponse,
                Answer,
                ItemNote,
                VisitInvestigation,
                Department,
                Reorganisation,
                PersonnelChange,
                Membership,
                User,
            )
        },
        "incidents": list(
            Incident.objects.order_by("pk").values_list("pk", "title", "department_id")
        ),
        "incident_types": list(
            IncidentType.objects.order_by("pk").values_list("pk", "name", "sort_order")
        ),
        "departments": list(
            Department.objects.order_by("pk").values_list(
                "pk", "name", "code", "parent_id", "sort_order", "is_active", "successor_id"
            )
        ),
        "reorganisations": list(Reorganisation.objects.order_by("pk").values_list("pk", "state")),
        "memberships": list(
            Membership.objects.order_by("pk").values_list(
                "pk", "user_id", "department_id", "role", "valid_from", "valid_to"
            )
        ),
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "display_name", "is_active", "employee_number"
            )
        ),
        "roles": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        # Sign-ins, failures and the like are recorded by design (tests/accounts).
        "log": LogEntry.objects.exclude(activity__in=security_log.ACTIONS).count(),
        "findings": list(
            Finding.objects.order_by("pk").values_list(
                "pk", "audit_id", "sort_order", "label", "title", "body", "section_id", "due_date"
            )
        ),
        "finding_departments": sorted(
            Finding.departments.through.objects.values_list("finding_id", "department_id")
        ),
        "audits": list(
            Audit.objects.order_by("pk").values_list(
                "pk", "theme", "fiscal_year", "period_start", "period_precision"
            )
        ),
        "audit_kinds": sorted(Audit.kinds.through.objects.values_list("audit_id", "auditkind_id")),
        "passwords": list(User.objects.order_by("pk").values_list("pk", "password")),
    }


def assert_outcome(response: Any, expected: Outcome, where: str) -> None:
    status = response.status_code
    location = response.get("Location", "")
    assert status != 500, where
    if expected is OK:
        assert 200 <= status < 400, f"{where}: {status}"
        if 300 <= status < 400:
            assert not location.startswith(LOGIN_URL), f"{where}: sent to {location}"
    elif expected is LOGIN:
        assert status == 302 and location.startswith(LOGIN_URL), f"{where}: {status} {location}"
    elif expected is OUT:
        assert status == 302 and location == LOGIN_URL, f"{where}: {status} {location}"
    elif expected is FIELD:
        # The page again, with the error by the field: a selection that cannot be read
        # is a bad request (400), never a wider result.
        assert status == 400, f"{where}: {status}"
        assert INVALID_CHOICE in response.content.decode(), f"{where}: no field error"
    else:
        assert status == int(expected.value), f"{where}: {status} {location}"


def _client_for(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


def _markers_forbidden_to(role: str) -> tuple[str, ...]:
    if role == "staff":
        return OTHER_MARKERS
    if role in ("anonymous", "no_role"):
        return (*OTHER_MARKERS, OWN_FINDING_MARKER)
    return ()


# --- the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "ownership", "role", "method"), _cells())
def test_matrix(client, world, case, ownership, role, method):
    url = case.build(world, ownership)
    column = role
    if role == "staff":
        column = "staff_own" if ownership in ("own", "-") else "staff_other"
    expected = (case.get if method == "GET" else case.post)[column]
    where = f"{method} {url} as {column}"
    client = _client_for(client, world.users[role])
    # Built before the snapshot: a payload may name an object made on first use.
    payload = case.payload(world, ownership) if method == "POST" else {}
    before = snapshot()

    response = client.get(url) if method == "GET" else client.post(url, payload)

    assert_outcome(response, expected, where)
    assert "Content-Security-Policy" in response, f"{where}: no CSP"
    assert "Permissions-Policy" in response, f"{where}: no Permissions-Policy"
    if is_html(response):
        found = inline_code(response.content.decode())
        assert not found, f"{where}: inline code the CSP blocks: {found}"
    if world.users[role] is not None:
        assert "no-store" in response.get("Cache-Control", ""), f"{where}: cacheable"
    if expected is OUT:
        assert "_auth_user_id" not in client.session, f"{where}: still signed in"
    after = snapshot()
    if method == "POST" and expected is OK and case.post_changes_data:
        assert after != before, f"{where}: an allowed POST changed nothing (payload invalid?)"
    else:
        assert after == before, f"{where}: data changed"
    if 200 <= response.status_code < 300:
        text = body_text(response)
        for marker in _markers_forbidden_to(role):
            assert marker not in text, f"{where}: {marker} leaked"


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str | None]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


def test_every_url_pattern_has_a_matrix_row():
    patterns = _walk(get_resolver().url_patterns)
    missing = [(route, name) for route, name in patterns if name not in EXPECTED]
    assert not missing, f"URL patterns without a permission matrix row: {missing}"
    # And the table names nothing that is gone.
    assert set(EXPECTED) <= {name for _, name in patterns}


def test_every_row_says_what_each_role_gets():
    for case in CASES:
        for outcomes in (case.get, case.post):
            assert set(outcomes) == {
                "anonymous", "no_role", "staff_own", "staff_other", "manager", "committee",
                "auditor", "administrator",
            }, case.case_id  # fmt: skip


def test_managers_change_nothing_anywhere():
    """Read the table itself: no data-changing POST is open to a manager."""
    for case in CASES:
        if case.post_changes_data and case.case_id != "password_change":
            assert case.post["manager"] in (E403, E404, E405), case.case_id
            assert case.post["committee"] in (E403, E404, E405), case.case_id
            assert case.post["no_role"] in (E403, E404, E405), case.case_id
            assert case.post["staff_other"] in (E404, E405), case.case_id


# --- lists, dashboard and reports never show 人事課's data to ICT戦略課 staff ---------


def _leak_requests() -> list[Any]:
    """(id, builder of the URL) for every page that lists findings or audits, with the
    parameters a curious member of staff would try."""

    def url(name: str, *args: object, **params: Callable[[World], object]):
        def build(w: World) -> str:
            query = urlencode({k: v(w) for k, v in params.items()})
            return reverse(name, args=args) + ("?" + query if query else "")

        return build

    other_dept = lambda w: w.jinji.pk  # noqa: E731
    other_audit = lambda w: w.other_audit.pk  # noqa: E731
    own_audit = lambda w: w.own_audit.pk  # noqa: E731
    year_2021 = lambda w: 2021  # noqa: E731
    year_2020 = lambda w: 2020  # noqa: E731
    empty = lambda w: ""  # noqa: E731
    jinji_words = lambda w: "人事記録"  # noqa: E731
    open_ = lambda w: "open"  # noqa: E731

    requests = [
        ("finding_list", url("finding_list")),
        ("finding_list?department=other", url("finding_list", department=other_dept)),
        ("finding_list?audit=other", url("finding_list", audit=other_audit)),
        ("finding_list?audit=own", url("finding_list", audit=own_audit)),
        ("finding_list?fiscal_year=other", url("finding_list", fiscal_year=year_2021)),
        ("finding_list?q=other", url("finding_list", q=jinji_words)),
        (
            "finding_list?status=open&o=-audit",
            url("finding_list", status=open_, o=lambda w: "-audit"),
        ),
        ("finding_list?page=2", url("finding_list", page=lambda w: "2")),
        ("my_findings", url("my_findings")),
        ("dashboard", url("dashboard")),
        ("audit_list", url("audit_list")),
        ("audit_detail(own)", lambda w: reverse("audit_detail", args=[w.own_audit.pk])),
        ("entry_create(own)", lambda w: reverse("entry_create", args=[w.own_finding.pk])),
        ("finding_detail(own)", lambda w: reverse("finding_detail", args=[w.own_finding.pk])),
        ("audit_summary(own)", lambda w: reverse("audit_summary", args=[w.own_audit.pk])),
        (
            "audit_summary_export.pdf(own)",
            lambda w: reverse("audit_summary_export", args=[w.own_audit.pk, "pdf"]),
        ),
        ("report_preview", url("report_preview")),
        (
            "report_preview?all",
            url("report_preview", audit=empty, fiscal_year=empty, department=empty),
        ),
        ("report_preview?audit=own", url("report_preview", audit=own_audit)),
        ("report_preview?audit=other", url("report_preview", audit=other_audit)),
        ("report_preview?department=other", url("report_preview", department=other_dept)),
        ("report_preview?fiscal_year=other", url("report_preview", fiscal_year=year_2021)),
        ("report_preview?fiscal_year=own", url("report_preview", fiscal_year=year_2020)),
        ("report_preview?q=other", url("report_preview", q=jinji_words)),
    ]
    for fmt in ("csv", "xlsx"):
        requests += [
            (f"export.{fmt}?all", url("report_export", fmt, audit=empty)),
            (f"export.{fmt}?audit=own", url("report_export", fmt, audit=own_audit)),
            (f"export.{fmt}?audit=other", url("report_export", fmt, audit=other_audit)),
            (f"export.{fmt}?department=other", url("report_export", fmt, department=other_dept)),
            (f"export.{fmt}?fiscal_year=own", url("report_export", fmt, fiscal_year=year_2020)),
            (f"export.{fmt}?fiscal_year=other", url("report_export", fmt, fiscal_year=year_2021)),
            (f"export.{fmt}?q=other", url("report_export", fmt, q=jinji_words)),
        ]
    requests.append(("export.pdf?all", url("report_export", "pdf", audit=empty)))

    def inspection(name: str, *extra: str) -> Callable[[World], str]:
        """Both rounds exist (the other one is named with 人事課's marker); the page is
        the own round's."""

        def build(w: World) -> str:
            _inspection(w, "other")
            own = _inspection(w, "own")
            if name == "inspection_list":
                return reverse(name)
            args: list[object] = [own.pk]
            if name == "response_form":
                args.append(w.ict.pk)
            return reverse(name, args=[*args, *extra])

        return build

    requests += [
        ("inspection_list", inspection("inspection_list")),
        ("inspection_round_detail(own)", inspection("inspection_round_detail")),
        ("response_form(own)", inspection("response_form")),
        ("inspection_results(own)", inspection("inspection_results")),
        ("inspection_results.csv(own)", inspection("inspection_results_export", "csv")),
    ]
    return [pytest.param(build, id=name) for name, build in requests]


@pytest.mark.parametrize("build", _leak_requests())
def test_staff_never_receive_another_departments_data(client, world_with_entries, build):
    world = world_with_entries
    client.force_login(world.users["staff"])
    url = build(world)

    response = client.get(url)

    assert response.status_code in (200, 302, 400), f"{url}: {response.status_code}"
    text = body_text(response)
    for marker in OTHER_MARKERS:
        assert marker not in text, f"{url}: {marker} leaked"


@pytest.mark.parametrize(
    "url_of",
    [
        pytest.param(lambda w: reverse("finding_list"), id="finding_list"),
        pytest.param(lambda w: reverse("audit_list"), id="audit_list"),
        pytest.param(lambda w: reverse("dashboard"), id="dashboard"),
        pytest.param(
            lambda w: reverse("report_preview") + f"?audit={w.other_audit.pk}", id="report_preview"
        ),
        pytest.param(lambda w: reverse("report_export", args=["csv"]) + "?audit=", id="export.csv"),
        pytest.param(
            lambda w: reverse("report_export", args=["xlsx"]) + "?audit=", id="export.xlsx"
        ),
        pytest.param(
            lambda w: reverse("report_export", args=["pdf"]) + f"?audit={w.other_audit.pk}",
            id="export.pdf",
        ),
        pytest.param(lambda w: reverse("audit_summary", args=[w.own_audit.pk]), id="audit_summary"),
        pytest.param(
            lambda w: (_inspection(w, "other"), reverse("inspection_list"))[1],
            id="inspection_list",
        ),
        pytest.param(
            lambda w: reverse("audit_summary_export", args=[w.own_audit.pk, "pdf"]),
            id="audit_summary_export.pdf",
        ),
    ],
)
def test_markers_are_visible_to_a_manager_so_the_leak_checks_can_fail(
    client, world_with_entries, url_of
):
    world = world_with_entries
    """The control for the tests above: the same pages show the markers to a manager."""
    client.force_login(world.users["manager"])

    response = client.get(url_of(world))

    assert response.status_code == 200
    text = body_text(response)
    assert any(marker in text for marker in OTHER_MARKERS), "marker not found: check is blind"


def test_staff_see_their_own_finding_where_they_are_refused_the_other(client, world_with_entries):
    world = world_with_entries
    """The control for the other side: staff are not simply shown nothing."""
    client.force_login(world.users["staff"])
    for url in (
        reverse("finding_list"),
        reverse("my_findings"),
        reverse("report_export", args=["csv"]) + f"?audit={world.own_audit.pk}",
    ):
        assert OWN_FINDING_MARKER in body_text(client.get(url)), url


# --- Django's admin: protected by is_staff, not by the matrix above ----------------------


@pytest.fixture
def admin_site_users(world) -> dict[str, User | None]:
    """Set up like the demo loader: auditors and administrators are admin-site staff."""
    users: dict[str, User | None] = world.users
    auditor, administrator = world.users["auditor"], world.users["administrator"]
    auditor.is_staff = True
    auditor.save()
    administrator.is_staff = True
    administrator.is_superuser = True
    administrator.save()
    return users


ADMIN_URLS = [
    "/admin/",
    "/admin/findings/finding/",
    "/admin/remediation/evidence/",
    "/admin/audits/user/",
]


@pytest.mark.parametrize("role", ["anonymous", "no_role", "staff", "manager"])
@pytest.mark.parametrize("path", ADMIN_URLS)
def test_admin_sends_non_staff_to_its_login(client, admin_site_users, role, path):
    client = _client_for(client, admin_site_users[role])

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(("/admin/login/", LOGIN_URL))


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_auditors_and_administrators_reach_the_admin(client, admin_site_users, role):
    client.force_login(admin_site_users[role])

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/findings/finding/").status_code == 200


# --- sub-items (ア, イ) whose parent is addressed to another department ------------------

SUB_ITEM_PARENT_MARKER = "JINJIPARENT3X"
SUB_ITEM_CHILD_MARKER = "JINJICHILD5V"


@dataclass
class SubItems:
    world: World
    own_child: Finding  # ICT戦略課's ア under a 人事課-only parent
    own_parent: Finding  # ICT戦略課's parent of a 人事課-only イ


@pytest.fixture
def sub_items(world, kinds, section, auditor) -> SubItems:
    """Both directions in the ICT戦略課 audit: a 人事課 parent introducing an ICT戦略課
    sub-item, and an ICT戦略課 parent with a 人事課 sub-item."""
    w = world

    def add(label: str, title: str, department: Department, parent: Finding | None = None):
        return add_finding(
            w.own_audit,
            kind=kinds["shiteki"],
            section=section,
            parent=parent,
            label=label,
            title=title,
            body=f"{title}の本文。",
            departments=[department],
            user=auditor,
        )

    other_parent = add("③", f"人事課の親項目 {SUB_ITEM_PARENT_MARKER}", w.jinji)
    own_child = add("ア", "ICT戦略課の小項目", w.ict, other_parent)
    own_parent = add("④", "ICT戦略課の親項目", w.ict)
    add("イ", f"人事課の小項目 {SUB_ITEM_CHILD_MARKER}", w.jinji, own_parent)
    return SubItems(w, own_child, own_parent)


def _sub_item_requests() -> list[Any]:
    def report(fmt: str | None) -> Callable[[SubItems], str]:
        def build(s: SubItems) -> str:
            base = reverse("report_export", args=[fmt]) if fmt else reverse("report_preview")
            return base + f"?audit={s.world.own_audit.pk}"

        return build

    return [
        pytest.param(
            lambda s: reverse("finding_detail", args=[s.own_child.pk]),
            id="finding_detail(child of other parent)",
        ),
        pytest.param(
            lambda s: reverse("finding_detail", args=[s.own_parent.pk]),
            id="finding_detail(parent of other child)",
        ),
        pytest.param(
            lambda s: reverse("entry_create", args=[s.own_child.pk]),
            id="entry_create(child of other parent)",
        ),
        pytest.param(lambda s: reverse("my_findings"), id="my_findings"),
        pytest.param(lambda s: reverse("finding_list"), id="finding_list"),
        pytest.param(lambda s: reverse("dashboard"), id="dashboard"),
        pytest.param(
            lambda s: reverse("audit_detail", args=[s.world.own_audit.pk]), id="audit_detail"
        ),
        pytest.param(report(None), id="report_preview"),
        pytest.param(report("csv"), id="export.csv"),
        pytest.param(report("xlsx"), id="export.xlsx"),
        pytest.param(report("pdf"), id="export.pdf"),
    ]


@pytest.mark.parametrize("build", _sub_item_requests())
def test_staff_never_receive_a_parent_or_sub_item_of_another_department(client, sub_items, build):
    client.force_login(sub_items.world.users["staff"])
    url = build(sub_items)

    response = client.get(url)

    assert response.status_code == 200, url
    text = body_text(response)
    for marker in (*OTHER_MARKERS, SUB_ITEM_PARENT_MARKER, SUB_ITEM_CHILD_MARKER):
        assert marker not in text, f"{url}: {marker} leaked"
