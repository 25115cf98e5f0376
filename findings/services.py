"""Adding, changing, reordering and deleting findings."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from audits.models import Audit, Department, Section, User, Viewpoint
from audits.services import (
    StructureInUse,
    delete_unless_used,
    move_in_order,
    next_sort_order,
    save_checked,
)
from audits.versions import check_version, field_values, fingerprint
from findings.models import Finding, FindingKind, FindingSubclass, FindingViewpoint
from findings.search import refresh_search_text
from history.context import logs_acting_user
from history.models import record_activity


def _validate_structure(
    audit: Audit,
    kind: FindingKind,
    section: Section | None,
    viewpoint: Viewpoint | None,
    parent: Finding | None,
    departments: Sequence[Department],
    finding: Finding | None = None,
    subclass: FindingSubclass | None = None,
    extra_viewpoints: Sequence[Viewpoint] = (),
) -> None:
    errors: dict[str, str] = {}
    if not audit.finding_kinds.filter(pk=kind.pk).exists():
        errors["kind"] = "この監査の報告に載せる区分を選んでください。"
    if subclass is not None and subclass.kind_id != kind.pk:
        errors["subclass"] = f"細区分「{subclass.name}」は区分「{kind.name}」にはありません。"
    if extra_viewpoints:
        if viewpoint is None:
            errors["extra_viewpoints"] = (
                "ほかの着眼点を選ぶときは、先に主な着眼点を選んでください。"
            )
        elif any(v.audit_id != audit.pk for v in extra_viewpoints):
            errors["extra_viewpoints"] = "この監査の着眼点を選んでください。"
        elif viewpoint in extra_viewpoints:
            errors["extra_viewpoints"] = "主な着眼点と同じ着眼点は選べません。"
        elif parent is not None:
            errors["extra_viewpoints"] = (
                "小項目は親項目の着眼点に載るため、ほかの着眼点は選べません。"
            )
    if section is not None and section.audit_id != audit.pk:
        errors["section"] = "この監査の節を選んでください。"
    if viewpoint is not None and viewpoint.audit_id != audit.pk:
        errors["viewpoint"] = "この監査の着眼点を選んでください。"
    if parent is not None:
        if parent.audit_id != audit.pk:
            errors["parent"] = "この監査の指摘事項を親項目に選んでください。"
        elif parent.parent_id is not None:
            errors["parent"] = "小項目（ア、イ …）の下にさらに小項目は作れません。"
        elif finding is not None and parent.pk == finding.pk:
            errors["parent"] = "自分自身を親項目にはできません。"
        elif finding is not None and finding.children.exists():
            errors["parent"] = "小項目を持つ指摘事項は、他の項目の小項目にできません。"
        elif parent.kind_id != kind.pk or parent.section_id != (section.pk if section else None):
            errors["parent"] = "親項目と同じ区分・節にしてください。"
    if not departments:
        errors["departments"] = "担当所属を1つ以上選んでください。"
    if errors:
        raise ValidationError(errors)


def _siblings(
    audit: Audit, kind: FindingKind, section: Section | None, parent: Finding | None
) -> QuerySet[Finding]:
    if parent is not None:
        return parent.children.all()
    return Finding.objects.filter(audit=audit, kind=kind, section=section, parent__isnull=True)


def _insertion_order(siblings: QuerySet[Finding], viewpoint: Viewpoint | None) -> int:
    """Where a new finding goes among its siblings: after the last one under the same or an
    earlier viewpoint, so "(5)④" added late still prints under (5) and not after (7).
    The siblings are renumbered 0..n around the free place."""
    ordered = list(
        siblings.select_for_update(of=("self",))
        .select_related("viewpoint")
        .order_by("sort_order", "id")
    )
    position = len(ordered)
    if viewpoint is not None:
        rank = (viewpoint.sort_order, viewpoint.pk)
        position = 0
        for index, sibling in enumerate(ordered):
            other = sibling.viewpoint
            if other is None or (other.sort_order, other.pk) <= rank:
                position = index + 1
    for order, placed in enumerate([*ordered[:position], None, *ordered[position:]]):
        if placed is not None:
            _set_sort_order(placed, order)
    return position


def _set_sort_order(finding: Finding, order: int) -> None:
    """Saved row by row (not QuerySet.update), so the audit log records each move."""
    if finding.sort_order != order:
        finding.sort_order = order
        finding.save(update_fields=["sort_order"])


@logs_acting_user
@transaction.atomic
def add_finding(
    audit: Audit,
    *,
    kind: FindingKind,
    body: str,
    departments: Iterable[Department],
    user: User | None,
    section: Section | None = None,
    viewpoint: Viewpoint | None = None,
    parent: Finding | None = None,
    label: str = "",
    title: str = "",
    subclass: FindingSubclass | None = None,
    extra_viewpoints: Sequence[Viewpoint] = (),
    due_date: datetime.date | None = None,
    sort_order: int | None = None,
) -> Finding:
    """Add a finding; without sort_order it goes after the last sibling under the same or an
    earlier viewpoint. It prints under `viewpoint` and is listed in the key-risk table
    under that one and each of `extra_viewpoints`, in that order. A sub-item without
    departments of its own takes its parent's."""
    depts = list(departments)
    if parent is not None and not depts:
        depts = list(parent.departments.all())
    if parent is not None and viewpoint is None:
        viewpoint = parent.viewpoint
    _validate_structure(
        audit,
        kind,
        section,
        viewpoint,
        parent,
        depts,
        subclass=subclass,
        extra_viewpoints=extra_viewpoints,
    )
    if sort_order is None:
        sort_order = _insertion_order(_siblings(audit, kind, section, parent), viewpoint)
    finding = Finding(
        audit=audit,
        kind=kind,
        section=section,
        viewpoint=viewpoint,
        parent=parent,
        label=label,
        title=title,
        body=body,
        subclass=subclass,
        due_date=due_date,
        sort_order=sort_order,
        created_by=user,
    )
    finding.full_clean(exclude=["departments", "extra_viewpoints"])
    finding.save()
    finding.departments.set(depts)
    _set_extra_viewpoints(finding, extra_viewpoints)
    refresh_search_text([finding.pk])
    return finding


def _set_extra_viewpoints(finding: Finding, viewpoints: Sequence[Viewpoint]) -> None:
    """Bring the finding's further viewpoints to `viewpoints`, in that order, touching only
    the links that change: the audit log then shows what really changed, row by row."""
    wanted = {v.pk: position for position, v in enumerate(viewpoints)}
    for link in FindingViewpoint.objects.filter(finding=finding):
        if link.viewpoint_id not in wanted:
            link.delete()
            continue
        position = wanted.pop(link.viewpoint_id)
        if link.position != position:
            link.position = position
            link.save(update_fields=["position"])
    for viewpoint_id, position in wanted.items():
        FindingViewpoint.objects.create(
            finding=finding, viewpoint_id=viewpoint_id, position=position
        )


EDITABLE_FIELDS = (
    "kind",
    "section",
    "viewpoint",
    "parent",
    "label",
    "title",
    "body",
    "subclass",
    "due_date",
)


def finding_version(finding: Finding) -> str:
    """The version of what the finding form edits (audits.versions)."""
    values = field_values(finding, EDITABLE_FIELDS)
    values["departments"] = sorted(finding.departments.values_list("pk", flat=True))
    values["extra_viewpoints"] = list(
        FindingViewpoint.objects.filter(finding=finding)
        .order_by("position")
        .values_list("viewpoint_id", flat=True)
    )
    return fingerprint(values)


@logs_acting_user
@transaction.atomic
def update_finding(
    finding: Finding,
    *,
    departments: Iterable[Department],
    user: User | None,
    extra_viewpoints: Sequence[Viewpoint] = (),
    version: str | None = None,
    **changes: object,
) -> Finding:
    """version: the finding_version the form was opened on; StaleEdit when someone has
    saved since (no version: the caller takes the last word)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    locked = Finding.objects.select_for_update().get(pk=finding.pk)
    check_version(version, locked, finding_version(locked))
    for field, value in changes.items():
        setattr(locked, field, value)
    depts = list(departments)
    _validate_structure(
        locked.audit,
        locked.kind,
        locked.section,
        locked.viewpoint,
        locked.parent,
        depts,
        finding=locked,
        subclass=locked.subclass,
        extra_viewpoints=extra_viewpoints,
    )
    locked.full_clean(exclude=["departments", "extra_viewpoints"])
    locked.save()
    locked.departments.set(depts)
    _set_extra_viewpoints(locked, extra_viewpoints)
    refresh_search_text([locked.pk])
    # Sub-items print under their parent, so they follow it to another kind or section.
    for child in locked.children.exclude(kind=locked.kind, section=locked.section):
        child.kind, child.section = locked.kind, locked.section
        child.save(update_fields=["kind", "section"])
    return locked


class FindingHasHistory(ValidationError):
    pass


@logs_acting_user
@transaction.atomic
def delete_finding(finding: Finding, *, user: User | None) -> None:
    """Only a finding with no entries and no sub-items may go: history stays."""
    if finding.entries.exists():
        raise FindingHasHistory("措置の記録がある指摘事項は削除できません（履歴を残すため）。")
    if finding.children.exists():
        raise FindingHasHistory(
            "小項目がある指摘事項は削除できません。先に小項目を削除してください。"
        )
    finding.departments.clear()
    finding.delete()


@logs_acting_user
@transaction.atomic
def move_finding(finding: Finding, *, offset: int, user: User | None) -> None:
    """Move a finding up (offset < 0) or down among its siblings, renumbering them 0..n."""
    siblings = list(
        _siblings(finding.audit, finding.kind, finding.section, finding.parent)
        .select_for_update()
        .order_by("sort_order", "id")
    )
    index = next(i for i, f in enumerate(siblings) if f.pk == finding.pk)
    target = max(0, min(len(siblings) - 1, index + offset))
    if target == index:
        return
    siblings.insert(target, siblings.pop(index))
    for order, sibling in enumerate(siblings):
        _set_sort_order(sibling, order)


# --- 区分 and 細区分: each authority's own finding classes ------------------------------


def _unique_kind_code() -> str:
    """A code for a class added in the app (the defaults keep their readable ones)."""
    taken = set(FindingKind.objects.values_list("code", flat=True))
    number = FindingKind.objects.count() + 1
    while f"kind{number}" in taken:
        number += 1
    return f"kind{number}"


def _check_kind_name(name: str, kind: FindingKind | None = None) -> None:
    others = FindingKind.objects.filter(name=name)
    if kind is not None:
        others = others.exclude(pk=kind.pk)
    if others.exists():
        raise ValidationError({"name": f"区分「{name}」は既にあります。"})


@transaction.atomic
def add_finding_kind(*, name: str, heading: str, user: User | None) -> FindingKind:
    """A new class, listed last; an audit reports it once chosen in its header."""
    _check_kind_name(name)
    kind = FindingKind(
        code=_unique_kind_code(),
        name=name,
        heading=heading,
        sort_order=next_sort_order(FindingKind.objects.all()),
    )
    return save_checked(kind, user, "指摘区分を追加")


@transaction.atomic
def update_finding_kind(
    kind: FindingKind, *, name: str, heading: str, user: User | None
) -> FindingKind:
    _check_kind_name(name, kind)
    kind.name, kind.heading = name, heading
    return save_checked(kind, user, "指摘区分を変更")


@transaction.atomic
def move_finding_kind(kind: FindingKind, *, offset: int, user: User | None) -> None:
    move_in_order(FindingKind.objects.all(), kind, offset, user, "指摘区分")


def finding_kind_delete_refusal(kind: FindingKind) -> str:
    """A class goes only when nothing uses it: no finding, no audit, no sub-class."""
    reasons = []
    findings = kind.findings.count()
    if findings:
        reasons.append(f"指摘事項 {findings} 件")
    audits = kind.audits.count()
    if audits:
        reasons.append(f"監査 {audits} 件の「報告に載せる区分」")
    subclasses = list(kind.subclasses.values_list("name", flat=True))
    if subclasses:
        reasons.append(f"細区分（{'、'.join(subclasses)}）")
    if not reasons:
        return ""
    return f"区分「{kind.name}」は{'、'.join(reasons)}で使われているため削除できません。"


@transaction.atomic
def delete_finding_kind(kind: FindingKind, *, user: User | None) -> None:
    delete_unless_used(kind, user, "指摘区分を削除", finding_kind_delete_refusal(kind))


def _check_subclass_name(
    kind: FindingKind, name: str, subclass: FindingSubclass | None = None
) -> None:
    others = kind.subclasses.filter(name=name)
    if subclass is not None:
        others = others.exclude(pk=subclass.pk)
    if others.exists():
        raise ValidationError({"name": f"細区分「{name}」は区分「{kind.name}」に既にあります。"})


@transaction.atomic
def add_finding_subclass(*, kind: FindingKind, name: str, user: User | None) -> FindingSubclass:
    _check_subclass_name(kind, name)
    subclass = FindingSubclass(
        kind=kind, name=name, sort_order=next_sort_order(kind.subclasses.all())
    )
    return save_checked(subclass, user, "細区分を追加", f"{kind.name} {subclass.name}")


@transaction.atomic
def update_finding_subclass(
    subclass: FindingSubclass, *, name: str, user: User | None
) -> FindingSubclass:
    _check_subclass_name(subclass.kind, name, subclass)
    subclass.name = name
    return save_checked(subclass, user, "細区分を変更", f"{subclass.kind.name} {subclass.name}")


@transaction.atomic
def move_finding_subclass(subclass: FindingSubclass, *, offset: int, user: User | None) -> None:
    """Up or down among the sub-classes of the same class."""
    move_in_order(
        FindingSubclass.objects.filter(kind_id=subclass.kind_id), subclass, offset, user, "細区分"
    )


def finding_subclass_delete_refusal(subclass: FindingSubclass) -> str:
    count = subclass.findings.count()
    if not count:
        return ""
    return (
        f"細区分「{subclass.name}」は指摘事項 {count} 件で使われているため削除できません。"
        "先に指摘事項の細区分を変えてください。"
    )


@transaction.atomic
def delete_finding_subclass(subclass: FindingSubclass, *, user: User | None) -> None:
    refusal = finding_subclass_delete_refusal(subclass)
    if refusal:
        raise StructureInUse(refusal)
    record_activity(user, "細区分を削除", subclass, f"{subclass.kind.name} {subclass.name}")
    subclass.delete()
