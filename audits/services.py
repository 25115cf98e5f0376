"""State changes of audits and their structure. Each takes domain objects and the acting
user and runs in one transaction; the audit log (history) records every row it writes."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from django.apps.registry import Apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Manager, Model, ProtectedError, Q, QuerySet

from audits.dates import check_date
from audits.models import (
    Audit,
    AuditedSystem,
    AuditKind,
    Commendation,
    Department,
    KeyRisk,
    OverallComment,
    PeriodPrecision,
    ScheduleItem,
    Section,
    User,
    Viewpoint,
    ViewpointNumbering,
)
from audits.roles import GROUP_PERMISSIONS
from audits.versions import check_version, field_values, fingerprint
from history.context import logs_acting_user
from history.models import record_activity

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


@logs_acting_user
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
    return audit


def audit_version(audit: Audit, fields: Iterable[str]) -> str:
    """The version of the named header fields and the lists (audits.versions): the edit
    form's fields, so a change of the report's texts elsewhere does not count."""
    values = field_values(audit, sorted(fields))
    for name in ("kinds", "audited_departments", "finding_kinds"):
        values[name] = sorted(getattr(audit, name).values_list("pk", flat=True))
    return fingerprint(values)


@logs_acting_user
@transaction.atomic
def update_audit(
    audit: Audit,
    *,
    user: User | None,
    kinds: Iterable[AuditKind],
    audited_departments: Iterable[Department],
    finding_kinds: Iterable[FindingKind],
    version: str | None = None,
    **changes: Unpack[AuditHeader],
) -> Audit:
    """Change an audit's header. A class that already has findings cannot be dropped from
    the report: they would vanish from the printed table. version: the audit_version the
    form was opened on (StaleEdit when someone has saved since)."""
    from findings.models import FindingKind

    _check_header_fields(changes)
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    check_version(version, locked, audit_version(locked, changes))
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
    return locked


DUPLICATE_RACE = (
    "ほかの人が同時に同じ番号・名称で登録したため保存できませんでした。"
    "画面を読み込み直して確認してください。"
)


def save_unique(
    row: Model, *, field: str = NON_FIELD_ERRORS, message: str = DUPLICATE_RACE
) -> None:
    """row.save() in a savepoint. The exists() checks before it cannot see a row another
    transaction is inserting at the same moment; the unique constraint does, and the
    loser of that race gets a field error instead of a 500."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        text = str(error).lower()
        if "unique" not in text and "duplicate" not in text:
            raise
        raise ValidationError({field: message}) from None


def next_sort_order(queryset: QuerySet[Any] | Manager[Any]) -> int:
    last = queryset.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return 0 if last is None else last + 1


@logs_acting_user
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
        sort_order=next_sort_order(audit.sections) if sort_order is None else sort_order,
    )
    # The number's uniqueness: checked above with its message, held by save_unique.
    section.full_clean(validate_constraints=False)
    save_unique(section, field="number", message=f"番号「{number}」の節はこの監査に既にあります。")
    return section


@logs_acting_user
@transaction.atomic
def add_key_risk(audit: Audit, *, number: str, title: str, user: User | None) -> KeyRisk:
    if audit.key_risks.filter(number=number).exists():
        raise ValidationError({"number": f"番号「{number}」の重要リスクはこの監査に既にあります。"})
    risk = KeyRisk(
        audit=audit, number=number, title=title, sort_order=next_sort_order(audit.key_risks)
    )
    # The number's uniqueness: checked above with its message, held by save_unique.
    risk.full_clean(validate_constraints=False)
    save_unique(
        risk, field="number", message=f"番号「{number}」の重要リスクはこの監査に既にあります。"
    )
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


@logs_acting_user
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
        sort_order=next_sort_order(audit.viewpoints),
    )
    # The number's uniqueness: checked above with its message, held by save_unique.
    viewpoint.full_clean(validate_constraints=False)
    save_unique(
        viewpoint, field="number", message=f"番号「{number}」の着眼点はこの監査に既にあります。"
    )
    return viewpoint


# --- editing, reordering and deleting the structure ---------------------------------------

_Ordered = TypeVar("_Ordered", bound=Model)


def save_checked(row: _Ordered, user: User | None, action: str, summary: str = "") -> _Ordered:
    """Validate the row against its model, save it and record who did it."""
    row.full_clean()
    save_unique(row)
    record_activity(user, action, row, summary or str(row))
    return row


class StructureInUse(ValidationError):
    """A delete refused because something still hangs on the object: nothing is lost."""


def reorder(
    rows: Sequence[_Ordered],
    item: _Ordered,
    offset: int,
    same_group: Callable[[_Ordered], object] = lambda row: None,
) -> bool:
    """Move `item` up (offset < 0) or down past the neighbours of its group (rows for which
    `same_group` gives the same value) and renumber every row's sort_order 0..n, so the
    rows of other groups keep their places. `rows` are locked and in their current order.
    False when the item is already at that end."""
    order = list(rows)
    group = same_group(item)
    places = [i for i, row in enumerate(order) if same_group(row) == group]
    index = next(i for i, place in enumerate(places) if order[place].pk == item.pk)
    target = max(0, min(len(places) - 1, index + offset))
    if target == index:
        return False
    here, there = places[index], places[target]
    order[here], order[there] = order[there], order[here]
    model = type(item)
    for position, row in enumerate(order):
        if vars(row).get("sort_order") != position:
            model._default_manager.filter(pk=row.pk).update(sort_order=position)
    return True


def move_in_order(
    rows: QuerySet[_Ordered],
    item: _Ordered,
    offset: int,
    user: User | None,
    what: str,
    same_group: Callable[[_Ordered], object] = lambda row: None,
) -> None:
    locked = list(rows.select_for_update().order_by("sort_order", "id"))
    if reorder(locked, item, offset, same_group):
        record_activity(user, f"{what}の順序を変更", item, str(item))


def _findings_named(findings: Iterable[Any]) -> str:
    """ "(3)①、(3)②": how a refusal names the findings in the way."""
    return "、".join(str(f.label_path or f.title or f.body[:20]) for f in findings)


def delete_unless_used(row: Model, user: User | None, action: str, refusal: str) -> None:
    """Delete the row, or refuse with `refusal` (why it must stay) when there is one."""
    if refusal:
        raise StructureInUse(refusal)
    record_activity(user, action, row, str(row))
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError as error:
        # Something no refusal above knows of still names the row (e.g. the security
        # incident whose 再発防止策 a register audit's section holds): refuse, lose nothing.
        names = "、".join(sorted({str(obj._meta.verbose_name) for obj in error.protected_objects}))
        raise StructureInUse(f"「{row}」は{names}から参照されているため削除できません。") from None


@transaction.atomic
def update_section(section: Section, *, number: str, title: str, user: User | None) -> Section:
    if section.audit.sections.filter(number=number).exclude(pk=section.pk).exists():
        raise ValidationError({"number": f"番号「{number}」の節はこの監査に既にあります。"})
    section.number, section.title = number, title
    return save_checked(section, user, "節を変更")


@transaction.atomic
def move_section(section: Section, *, offset: int, user: User | None) -> None:
    move_in_order(Section.objects.filter(audit_id=section.audit_id), section, offset, user, "節")


def section_delete_refusal(section: Section) -> str:
    """Why the section cannot go, or "" when it can."""
    from findings.models import Finding

    findings = list(
        Finding.objects.filter(section=section, parent__isnull=True)
        .select_related("viewpoint")
        .order_by("kind__sort_order", "sort_order", "id")
    )
    if not findings:
        return ""
    return (
        f"この節には指摘事項 {_findings_named(findings)} が載っているため削除できません。"
        "先に指摘事項の節を変えてください。"
    )


@transaction.atomic
def delete_section(section: Section, *, user: User | None) -> None:
    delete_unless_used(section, user, "節を削除", section_delete_refusal(section))


@transaction.atomic
def update_key_risk(risk: KeyRisk, *, number: str, title: str, user: User | None) -> KeyRisk:
    if risk.audit.key_risks.filter(number=number).exclude(pk=risk.pk).exists():
        raise ValidationError({"number": f"番号「{number}」の重要リスクはこの監査に既にあります。"})
    risk.number, risk.title = number, title
    save_checked(risk, user, "重要リスクを変更")
    _refresh_search_text(Q(key_risk=risk))
    return risk


def _refresh_search_text(viewpoints: Q) -> None:
    """A viewpoint's (or key risk's) text is part of the search text of the findings that
    answer it (findings.search)."""
    from findings.search import refresh_findings_of_viewpoints

    refresh_findings_of_viewpoints(viewpoints)


@transaction.atomic
def move_key_risk(risk: KeyRisk, *, offset: int, user: User | None) -> None:
    move_in_order(KeyRisk.objects.filter(audit_id=risk.audit_id), risk, offset, user, "重要リスク")


def key_risk_delete_refusal(risk: KeyRisk) -> str:
    numbers = list(risk.viewpoints.order_by("sort_order", "id").values_list("number", flat=True))
    if not numbers:
        return ""
    return (
        f"この重要リスクには着眼点 {'、'.join(numbers)} があるため削除できません。"
        "先に着眼点を削除するか、別の重要リスクに移してください。"
    )


@transaction.atomic
def delete_key_risk(risk: KeyRisk, *, user: User | None) -> None:
    delete_unless_used(risk, user, "重要リスクを削除", key_risk_delete_refusal(risk))


@transaction.atomic
def update_viewpoint(
    viewpoint: Viewpoint,
    *,
    number: str,
    text: str,
    user: User | None,
    key_risk: KeyRisk | None = None,
) -> Viewpoint:
    audit = viewpoint.audit
    if key_risk is not None and key_risk.audit_id != audit.pk:
        raise ValidationError({"key_risk": "この監査の重要リスクを選んでください。"})
    _check_viewpoint_number(audit, number, key_risk, viewpoint)
    viewpoint.number, viewpoint.text, viewpoint.key_risk = number, text, key_risk
    save_checked(viewpoint, user, "着眼点を変更")
    _refresh_search_text(Q(pk=viewpoint.pk))
    return viewpoint


@transaction.atomic
def move_viewpoint(viewpoint: Viewpoint, *, offset: int, user: User | None) -> None:
    """Up or down among the viewpoints of the same key risk (or of none)."""
    move_in_order(
        Viewpoint.objects.filter(audit_id=viewpoint.audit_id),
        viewpoint,
        offset,
        user,
        "着眼点",
        same_group=lambda v: v.key_risk_id,
    )


def viewpoint_delete_refusal(viewpoint: Viewpoint) -> str:
    """Findings printed under the viewpoint or answering it as a further viewpoint."""
    from django.db.models import Q

    from findings.models import Finding

    findings = list(
        Finding.objects.filter(
            Q(viewpoint=viewpoint, parent__isnull=True) | Q(viewpoint_links__viewpoint=viewpoint)
        )
        .distinct()
        .select_related("viewpoint")
        .order_by("kind__sort_order", "section__sort_order", "sort_order", "id")
    )
    if not findings:
        # Only sub-items left (their parent moved elsewhere): name them too.
        findings = list(
            Finding.objects.filter(viewpoint=viewpoint).select_related(
                "viewpoint", "parent__viewpoint"
            )
        )
    if not findings:
        return ""
    return (
        f"この着眼点には指摘事項 {_findings_named(findings)} が載っているため削除できません。"
        "先に指摘事項の着眼点を変えてください。"
    )


@transaction.atomic
def delete_viewpoint(viewpoint: Viewpoint, *, user: User | None) -> None:
    delete_unless_used(viewpoint, user, "着眼点を削除", viewpoint_delete_refusal(viewpoint))


def _check_system_department(audit: Audit, department: Department | None) -> None:
    if department is not None and not audit.audited_departments.filter(pk=department.pk).exists():
        raise ValidationError({"department": "この監査の監査対象の所属を選んでください。"})


@transaction.atomic
def add_system(
    audit: Audit, *, name: str, user: User | None, department: Department | None = None
) -> AuditedSystem:
    _check_system_department(audit, department)
    system = AuditedSystem(
        audit=audit, name=name, department=department, sort_order=next_sort_order(audit.systems)
    )
    return save_checked(system, user, "監査対象システムを追加")


@transaction.atomic
def update_system(
    system: AuditedSystem, *, name: str, user: User | None, department: Department | None = None
) -> AuditedSystem:
    _check_system_department(system.audit, department)
    system.name, system.department = name, department
    return save_checked(system, user, "監査対象システムを変更")


@transaction.atomic
def move_system(system: AuditedSystem, *, offset: int, user: User | None) -> None:
    move_in_order(
        AuditedSystem.objects.filter(audit_id=system.audit_id),
        system,
        offset,
        user,
        "監査対象システム",
    )


def system_delete_refusal(system: AuditedSystem) -> str:
    """Nothing hangs on a system: it may always go."""
    return ""


@transaction.atomic
def delete_system(system: AuditedSystem, *, user: User | None) -> None:
    record_activity(user, "監査対象システムを削除", system, str(system))
    system.delete()


# --- 監査の種類 (AuditKind): a vocabulary each authority keeps ------------------------------


# Vocabulary rows with a unique `name` and a `sort_order` (監査の種類, 障害の種別).


def add_named_row(model: type[_Ordered], *, name: str, user: User | None, noun: str) -> _Ordered:
    """A new vocabulary row at the end of its list; a name already there is a field error."""
    if model._default_manager.filter(name=name).exists():
        raise ValidationError({"name": f"{noun}「{name}」は既にあります。"})
    row = model(name=name, sort_order=next_sort_order(model._default_manager))
    return save_checked(row, user, f"{noun}を追加")


def rename_named_row(row: _Ordered, *, name: str, user: User | None, noun: str) -> _Ordered:
    if type(row)._default_manager.filter(name=name).exclude(pk=row.pk).exists():
        raise ValidationError({"name": f"{noun}「{name}」は既にあります。"})
    setattr(row, "name", name)  # noqa: B010  the bound is any model with a name
    return save_checked(row, user, f"{noun}を変更")


@transaction.atomic
def add_audit_kind(*, name: str, user: User | None) -> AuditKind:
    return add_named_row(AuditKind, name=name, user=user, noun="監査の種類")


@transaction.atomic
def update_audit_kind(kind: AuditKind, *, name: str, user: User | None) -> AuditKind:
    return rename_named_row(kind, name=name, user=user, noun="監査の種類")


@transaction.atomic
def move_audit_kind(kind: AuditKind, *, offset: int, user: User | None) -> None:
    move_in_order(AuditKind.objects.all(), kind, offset, user, "監査の種類")


def audit_kind_delete_refusal(kind: AuditKind) -> str:
    count = kind.audits.count()
    if not count:
        return ""
    return f"監査の種類「{kind.name}」は監査 {count} 件で使われているため削除できません。"


@transaction.atomic
def delete_audit_kind(kind: AuditKind, *, user: User | None) -> None:
    delete_unless_used(kind, user, "監査の種類を削除", audit_kind_delete_refusal(kind))


# --- the audit report's own content (監査報告書): its texts, 日程, 総評, 推奨する点 ----------


class AuditReportContent(TypedDict):
    """The audit's fields that only the audit report (監査報告書) prints."""

    report_title: str
    purpose: str
    method: str
    standards_applied: str
    standards_reference: str
    report_date_precision: str


@transaction.atomic
def update_audit_report(
    audit: Audit, *, user: User | None, **content: Unpack[AuditReportContent]
) -> Audit:
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    if content["report_date_precision"] not in PeriodPrecision.values:
        raise ValidationError({"report_date_precision": "報告日の表し方は一覧から選んでください。"})
    for name, value in content.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["kinds", "audited_departments", "auditors", "finding_kinds"])
    locked.save(update_fields=list(content))
    record_activity(user, "監査報告書の内容を変更", locked, str(locked))
    return locked


def _check_schedule_date(date: datetime.date) -> None:
    try:
        check_date(date, "実施日")
    except ValidationError as error:
        raise ValidationError({"date": error.messages}) from None


@transaction.atomic
def add_schedule_item(
    audit: Audit, *, date: datetime.date, category: str, content: str, user: User | None
) -> ScheduleItem:
    _check_schedule_date(date)
    item = ScheduleItem(
        audit=audit,
        date=date,
        category=category,
        content=content,
        sort_order=next_sort_order(audit.schedule),
    )
    return save_checked(item, user, "監査実施日程を追加")


@transaction.atomic
def update_schedule_item(
    item: ScheduleItem, *, date: datetime.date, category: str, content: str, user: User | None
) -> ScheduleItem:
    _check_schedule_date(date)
    item.date, item.category, item.content = date, category, content
    return save_checked(item, user, "監査実施日程を変更")


@transaction.atomic
def move_schedule_item(item: ScheduleItem, *, offset: int, user: User | None) -> None:
    """The schedule prints by date: only steps of the same day change places."""
    move_in_order(
        ScheduleItem.objects.filter(audit_id=item.audit_id),
        item,
        offset,
        user,
        "監査実施日程",
        same_group=lambda row: row.date,
    )


@transaction.atomic
def delete_schedule_item(item: ScheduleItem, *, user: User | None) -> None:
    delete_unless_used(item, user, "監査実施日程を削除", "")


@transaction.atomic
def add_overall_comment(
    audit: Audit, *, heading: str, body: str, user: User | None
) -> OverallComment:
    comment = OverallComment(
        audit=audit, heading=heading, body=body, sort_order=next_sort_order(audit.overall_comments)
    )
    return save_checked(comment, user, "総評を追加")


@transaction.atomic
def update_overall_comment(
    comment: OverallComment, *, heading: str, body: str, user: User | None
) -> OverallComment:
    comment.heading, comment.body = heading, body
    return save_checked(comment, user, "総評を変更")


@transaction.atomic
def move_overall_comment(comment: OverallComment, *, offset: int, user: User | None) -> None:
    move_in_order(
        OverallComment.objects.filter(audit_id=comment.audit_id), comment, offset, user, "総評"
    )


@transaction.atomic
def delete_overall_comment(comment: OverallComment, *, user: User | None) -> None:
    delete_unless_used(comment, user, "総評を削除", "")


@transaction.atomic
def add_commendation(audit: Audit, *, text: str, user: User | None) -> Commendation:
    commendation = Commendation(
        audit=audit, text=text, sort_order=next_sort_order(audit.commendations)
    )
    return save_checked(commendation, user, "推奨する点を追加")


@transaction.atomic
def update_commendation(
    commendation: Commendation, *, text: str, user: User | None
) -> Commendation:
    commendation.text = text
    return save_checked(commendation, user, "推奨する点を変更")


@transaction.atomic
def move_commendation(commendation: Commendation, *, offset: int, user: User | None) -> None:
    move_in_order(
        Commendation.objects.filter(audit_id=commendation.audit_id),
        commendation,
        offset,
        user,
        "推奨する点",
    )


@transaction.atomic
def delete_commendation(commendation: Commendation, *, user: User | None) -> None:
    delete_unless_used(commendation, user, "推奨する点を削除", "")


def never_refused(row: Model) -> str:
    """The report's own rows: nothing hangs on them, so a delete always goes through."""
    return ""
