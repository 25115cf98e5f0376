"""State changes of audits and their structure. Each takes domain objects and the acting
user, runs in one transaction and records who did it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.apps.registry import Apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Manager, QuerySet

from audits.models import (
    Audit,
    AuditKind,
    Department,
    KeyRisk,
    Section,
    User,
    Viewpoint,
    ViewpointNumbering,
    record_activity,
)
from audits.roles import GROUP_PERMISSIONS

if TYPE_CHECKING:
    from findings.models import FindingKind

# The vocabulary every installation starts with; each authority can add its own as data.
# 財務監査 before 行政監査: joined kinds print in this order ("財務監査・行政監査").
AUDIT_KINDS = ["財務監査", "行政監査", "情報セキュリティ監査", "随時監査", "自己点検"]
FINDING_KINDS = [
    ("shiteki", "指摘", "指 摘", 10),
    ("iken", "意見", "", 20),  # seed 000 spaces 「指 摘」 but prints 「意見」 as is
    ("risk", "リスク発現の可能性があるもの", "", 30),
]
FINDING_SUBCLASSES = [("shiteki", "是正", 10), ("shiteki", "改善", 20)]
STATUSES = [
    ("sochizumi", "措置済", True, 10),
    ("keizoku", "継続努力", False, 20),
    ("kentou", "検討中", False, 30),
]


@transaction.atomic
def ensure_reference_data(registry: Apps | None = None) -> None:
    """Create the default vocabularies, the permissions and the four role groups, leaving
    anything that exists alone. The data migration calls it with its historical app
    registry; tests that flush the database call it to restore what migrate made."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    registry = registry or global_apps
    audit_kind = registry.get_model("audits", "AuditKind")
    for order, name in enumerate(AUDIT_KINDS):
        audit_kind.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    finding_kind = registry.get_model("findings", "FindingKind")
    for code, name, heading, order in FINDING_KINDS:
        finding_kind.objects.get_or_create(
            code=code, defaults={"name": name, "heading": heading, "sort_order": order}
        )
    try:
        subclass = registry.get_model("findings", "FindingSubclass")
    except LookupError:  # the first data migration runs before sub-classes exist
        subclass = None
    if subclass is not None:
        for code, name, order in FINDING_SUBCLASSES:
            kind = finding_kind.objects.filter(code=code).first()
            if kind is not None:
                subclass.objects.get_or_create(kind=kind, name=name, defaults={"sort_order": order})
    status = registry.get_model("remediation", "RemediationStatus")
    for code, name, closed, order in STATUSES:
        status.objects.get_or_create(
            code=code, defaults={"name": name, "is_closed": closed, "sort_order": order}
        )
    # Permissions are normally created after all migrations; the groups need them now.
    for label in ("audits", "findings", "remediation"):
        create_permissions(global_apps.get_app_config(label), verbosity=0)
    ensure_role_groups(
        registry.get_model("auth", "Group"), registry.get_model("auth", "Permission")
    )


@transaction.atomic
def ensure_role_groups(
    group_model: type[Group] = Group, permission_model: type[Permission] = Permission
) -> None:
    """Create the four role groups with their permissions (idempotent). The models are
    parameters so the data migration can pass its historical ones."""
    for role, perms in GROUP_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


class AuditHeader(TypedDict, total=False):
    """The audit's own fields that the header form sets (everything but the lists)."""

    fiscal_year: int
    theme: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    period_precision: str
    report_number: str
    report_date: datetime.date | None
    report_date_precision: str
    signers: str
    notice_date: datetime.date | None
    auditor_names: str
    viewpoint_numbering: str
    addressee_format: str
    report_title: str
    purpose: str
    method: str
    standards_applied: str
    standards_reference: str


class AuditLists(TypedDict):
    kinds: list[AuditKind]
    audited_departments: list[Department]
    finding_kinds: list[FindingKind]


HEADER_FIELDS = (
    "fiscal_year",
    "theme",
    "period_start",
    "period_end",
    "period_precision",
    "report_number",
    "report_date",
    "report_date_precision",
    "signers",
    "notice_date",
    "auditor_names",
    "viewpoint_numbering",
    "addressee_format",
    "report_title",
    "purpose",
    "method",
    "standards_applied",
    "standards_reference",
)


def _header_errors(audit: Audit) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = audit.period_start, audit.period_end
    if end is not None and start is None:
        errors["period_start"] = "終了日を入れるときは開始日も入力してください。"
    elif start is not None and end is not None and end < start:
        errors["period_end"] = "終了日は開始日以降の日付にしてください。"
    return errors


def _list_errors(
    kinds: list[AuditKind], departments: list[Department], finding_kinds: list[FindingKind]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not kinds:
        errors["kinds"] = "監査の種類を1つ以上選んでください。"
    if not departments:
        errors["audited_departments"] = "監査対象の所属を1つ以上選んでください。"
    if not finding_kinds:
        errors["finding_kinds"] = "報告に載せる区分を1つ以上選んでください。"
    return errors


def _check_header_fields(header: Mapping[str, object]) -> None:
    unknown = set(header) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"not audit header fields: {sorted(unknown)}")


@transaction.atomic
def create_audit(
    *,
    kinds: Iterable[AuditKind],
    audited_departments: Iterable[Department],
    finding_kinds: Iterable[FindingKind] = (),
    auditors: Iterable[User] = (),
    user: User | None,
    **header: Unpack[AuditHeader],
) -> Audit:
    """A new audit from its header (HEADER_FIELDS) and its lists. Without finding_kinds
    the audit reports every class configured."""
    _check_header_fields(header)
    kind_list, departments = list(kinds), list(audited_departments)
    chosen_finding_kinds = list(finding_kinds)
    if not chosen_finding_kinds:
        from findings.models import FindingKind

        chosen_finding_kinds = list(FindingKind.objects.all())
    audit = Audit(created_by=user, **header)
    errors = _list_errors(kind_list, departments, chosen_finding_kinds) | _header_errors(audit)
    if errors:
        raise ValidationError(errors)
    audit.full_clean(exclude=["kinds", "audited_departments", "auditors", "finding_kinds"])
    audit.save()
    audit.kinds.set(kind_list)
    audit.audited_departments.set(departments)
    audit.auditors.set(list(auditors))
    audit.finding_kinds.set(chosen_finding_kinds)
    record_activity(user, "監査を作成", audit, str(audit))
    return audit


@transaction.atomic
def update_audit(
    audit: Audit,
    *,
    user: User | None,
    kinds: Iterable[AuditKind],
    audited_departments: Iterable[Department],
    finding_kinds: Iterable[FindingKind],
    **changes: Unpack[AuditHeader],
) -> Audit:
    """Change an audit's header. A class that already has findings cannot be dropped from
    the report: they would vanish from the printed table."""
    from findings.models import FindingKind

    _check_header_fields(changes)
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    kind_list, departments = list(kinds), list(audited_departments)
    chosen_finding_kinds = list(finding_kinds)
    errors = _list_errors(kind_list, departments, chosen_finding_kinds)
    used = set(locked.findings.values_list("kind_id", flat=True))
    missing = [k for k in FindingKind.objects.filter(pk__in=used) if k not in chosen_finding_kinds]
    if chosen_finding_kinds and missing:
        names = "、".join(k.name for k in missing)
        errors["finding_kinds"] = f"指摘事項が登録済みの区分（{names}）は外せません。"
    for name, value in changes.items():
        setattr(locked, name, value)
    errors |= _header_errors(locked)
    if errors:
        raise ValidationError(errors)
    locked.full_clean(exclude=["kinds", "audited_departments", "auditors", "finding_kinds"])
    locked.save()
    locked.kinds.set(kind_list)
    locked.audited_departments.set(departments)
    locked.finding_kinds.set(chosen_finding_kinds)
    record_activity(user, "監査を変更", locked, str(locked))
    return locked


def _next_order(queryset: QuerySet[Any] | Manager[Any]) -> int:
    last = queryset.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def add_section(
    audit: Audit, *, number: str, title: str, user: User | None, sort_order: int | None = None
) -> Section:
    if audit.sections.filter(number=number).exists():
        raise ValidationError({"number": f"番号「{number}」の節はこの監査に既にあります。"})
    section = Section(
        audit=audit,
        number=number,
        title=title,
        sort_order=_next_order(audit.sections) if sort_order is None else sort_order,
    )
    section.full_clean()
    section.save()
    record_activity(user, "節を追加", section, str(section))
    return section


@transaction.atomic
def add_key_risk(audit: Audit, *, number: str, title: str, user: User | None) -> KeyRisk:
    if audit.key_risks.filter(number=number).exists():
        raise ValidationError({"number": f"番号「{number}」の重要リスクはこの監査に既にあります。"})
    risk = KeyRisk(audit=audit, number=number, title=title, sort_order=_next_order(audit.key_risks))
    risk.full_clean()
    risk.save()
    record_activity(user, "重要リスクを追加", risk, str(risk))
    return risk


def _check_viewpoint_number(
    audit: Audit, number: str, key_risk: KeyRisk | None, viewpoint: Viewpoint | None = None
) -> None:
    """A viewpoint's number is unique within its parent: the key risk when the audit
    numbers again under each risk (ア, イ under every risk), else the whole audit."""
    siblings = audit.viewpoints.filter(number=number)
    per_risk = audit.viewpoint_numbering == ViewpointNumbering.PER_KEY_RISK
    if per_risk or key_risk is None:
        siblings = siblings.filter(key_risk=key_risk)
    if viewpoint is not None:
        siblings = siblings.exclude(pk=viewpoint.pk)
    if siblings.exists():
        where = f"重要リスク「{key_risk.number}」" if per_risk and key_risk else "この監査"
        raise ValidationError({"number": f"番号「{number}」の着眼点は{where}に既にあります。"})


@transaction.atomic
def add_viewpoint(
    audit: Audit, *, number: str, text: str, user: User | None, key_risk: KeyRisk | None = None
) -> Viewpoint:
    if key_risk is not None and key_risk.audit_id != audit.pk:
        raise ValidationError({"key_risk": "この監査の重要リスクを選んでください。"})
    _check_viewpoint_number(audit, number, key_risk)
    viewpoint = Viewpoint(
        audit=audit,
        number=number,
        text=text,
        key_risk=key_risk,
        sort_order=_next_order(audit.viewpoints),
    )
    viewpoint.full_clean()
    viewpoint.save()
    record_activity(user, "着眼点を追加", viewpoint, str(viewpoint))
    return viewpoint
