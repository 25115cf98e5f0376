"""State changes of audits and their structure. Each takes domain objects and the acting
user, runs in one transaction and records who did it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

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
    record_activity,
)
from audits.roles import GROUP_PERMISSIONS

if TYPE_CHECKING:
    from findings.models import FindingKind

# The vocabulary every installation starts with; each authority can add its own as data.
AUDIT_KINDS = ["行政監査", "財務監査", "情報セキュリティ監査", "随時監査", "自己点検"]
FINDING_KINDS = [
    ("shiteki", "指摘", "指 摘", 10),
    ("iken", "意見", "", 20),  # seed 000 spaces 「指 摘」 but prints 「意見」 as is
    ("risk", "リスク発現の可能性があるもの", "", 30),
]
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


def _check_period(start: datetime.date, end: datetime.date | None) -> None:
    if end is not None and end < start:
        raise ValidationError({"period_end": "終了日は開始日以降の日付にしてください。"})


@transaction.atomic
def create_audit(
    *,
    fiscal_year: int,
    kind: AuditKind,
    theme: str,
    audited_departments: Iterable[Department],
    period_start: datetime.date,
    period_end: datetime.date | None = None,
    finding_kinds: Iterable[FindingKind] = (),
    report_number: str = "",
    report_date: datetime.date | None = None,
    auditors: Iterable[User] = (),
    auditor_names: str = "",
    user: User | None,
) -> Audit:
    departments = list(audited_departments)
    if not departments:
        raise ValidationError({"audited_departments": "監査対象の所属を1つ以上選んでください。"})
    _check_period(period_start, period_end)
    audit = Audit(
        fiscal_year=fiscal_year,
        kind=kind,
        theme=theme,
        period_start=period_start,
        period_end=period_end,
        report_number=report_number,
        report_date=report_date,
        auditor_names=auditor_names,
        created_by=user,
    )
    audit.full_clean(exclude=["audited_departments", "auditors", "finding_kinds"])
    audit.save()
    audit.audited_departments.set(departments)
    audit.auditors.set(list(auditors))
    kinds = list(finding_kinds)
    if not kinds:
        from findings.models import FindingKind

        kinds = list(FindingKind.objects.all())
    audit.finding_kinds.set(kinds)
    record_activity(user, "監査を作成", audit, str(audit))
    return audit


@transaction.atomic
def update_audit(
    audit: Audit,
    *,
    user: User | None,
    audited_departments: Iterable[Department],
    finding_kinds: Iterable[FindingKind],
    **changes: object,
) -> Audit:
    """Change an audit's header. A kind that already has findings cannot be dropped from
    the report: they would vanish from the printed table."""
    from findings.models import FindingKind

    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    departments = list(audited_departments)
    kinds = list(finding_kinds)
    errors: dict[str, str] = {}
    if not departments:
        errors["audited_departments"] = "監査対象の所属を1つ以上選んでください。"
    used = set(locked.findings.values_list("kind_id", flat=True))
    missing = [k for k in FindingKind.objects.filter(pk__in=used) if k not in kinds]
    if not kinds:
        errors["finding_kinds"] = "報告に載せる区分を1つ以上選んでください。"
    elif missing:
        names = "、".join(k.name for k in missing)
        errors["finding_kinds"] = f"指摘事項が登録済みの区分（{names}）は外せません。"
    for name, value in changes.items():
        setattr(locked, name, value)
    try:
        _check_period(locked.period_start, locked.period_end)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    locked.full_clean(exclude=["audited_departments", "auditors", "finding_kinds"])
    locked.save()
    locked.audited_departments.set(departments)
    locked.finding_kinds.set(kinds)
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


@transaction.atomic
def add_viewpoint(
    audit: Audit, *, number: str, text: str, user: User | None, key_risk: KeyRisk | None = None
) -> Viewpoint:
    if key_risk is not None and key_risk.audit_id != audit.pk:
        raise ValidationError({"key_risk": "この監査の重要リスクを選んでください。"})
    if audit.viewpoints.filter(number=number).exists():
        raise ValidationError({"number": f"番号「{number}」の着眼点はこの監査に既にあります。"})
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
