"""Changing the organisation: the department tree and dated reorganisations.

Every function takes domain objects and the acting user, runs in one transaction and
leaves the audit log (操作記録) a line saying what was done. Errors a person can fix are
raised as OrganisationError with a Japanese message (field name → message where the
form can show it beside a field).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.dates import in_range, out_of_range_message
from audits.models import Department, Membership, User
from findings.models import Finding
from history.context import logs_acting_user
from history.models import record_activity
from organisation.models import (
    DepartmentName,
    FindingTransfer,
    Reorganisation,
    ReorganisationKind,
    ReorganisationState,
)

# Dates the organisation accepts: nothing before the 平成 era, nothing far ahead.


class OrganisationError(Exception):
    """A change that cannot be made as asked. `errors` maps a form field ("" for the
    whole form) to its message."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__("；".join(self.errors.values()))


def check_date(day: datetime.date, label: str = "発効日") -> str | None:
    """A message when `day` is outside the one range of dates the app accepts."""
    return None if in_range(day) else out_of_range_message(label)


# --- the tree --------------------------------------------------------------------------


def _check_tree(name: str, code: str, parent: Department | None, dept: Department | None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "名称を入力してください。"
    if not code.strip():
        errors["code"] = "所属コードを入力してください。"
    elif Department.objects.filter(code=code).exclude(pk=dept.pk if dept else 0).exists():
        errors["code"] = f"所属コード「{code}」はすでに使われています。"
    if parent is not None:
        if parent.parent_id is not None:
            errors["parent"] = "上位には部局（上位のない所属）を選んでください。"
        elif not parent.is_active:
            errors["parent"] = "廃止された部局の下には置けません。"
        elif dept is not None and parent.pk == dept.pk:
            errors["parent"] = "自分自身を上位にはできません。"
    if dept is not None and parent is not None and dept.children.exists():
        errors["parent"] = "課のある部局は、ほかの部局の下に移せません。"
    if errors:
        raise OrganisationError(errors)


@logs_acting_user
@transaction.atomic
def create_department(
    *, name: str, code: str, parent: Department | None, sort_order: int, user: User
) -> Department:
    name, code = name.strip(), code.strip()
    _check_tree(name, code, parent, None)
    try:
        dept = Department.objects.create(name=name, code=code, parent=parent, sort_order=sort_order)
    except IntegrityError:
        raise OrganisationError({"code": f"所属コード「{code}」はすでに使われています。"}) from None
    record_activity(user, "所属を追加", dept, dept.full_name)
    return dept


def _remember_name(dept: Department, until: datetime.date) -> None:
    """Keep the department's present name and 部局 as true up to `until`."""
    last = DepartmentName.objects.filter(department=dept).order_by("-valid_to").first()
    start = last.valid_to + datetime.timedelta(days=1) if last is not None else None
    if start is not None and start > until:
        # A second change effective the same day: the first name never held alone.
        return
    DepartmentName.objects.create(
        department=dept, name=dept.name, parent=dept.parent, valid_from=start, valid_to=until
    )


@logs_acting_user
@transaction.atomic
def update_department(
    dept: Department,
    *,
    name: str,
    code: str,
    parent: Department | None,
    sort_order: int,
    correction: bool,
    user: User,
) -> Department:
    """Rename, recode, move or reorder now. A rename or move is kept in the department's
    history (the old name stays true until yesterday), unless it corrects a mistake."""
    name, code = name.strip(), code.strip()
    dept = Department.objects.select_for_update().get(pk=dept.pk)
    _check_tree(name, code, parent, dept)
    renamed = name != dept.name or (parent.pk if parent else None) != dept.parent_id
    if renamed and not correction:
        _remember_name(dept, timezone.localdate() - datetime.timedelta(days=1))
    dept.name, dept.code, dept.parent, dept.sort_order = name, code, parent, sort_order
    try:
        dept.save()
    except IntegrityError:
        raise OrganisationError({"code": f"所属コード「{code}」はすでに使われています。"}) from None
    record_activity(user, "所属を変更", dept, dept.full_name)
    return dept


def open_findings_of(departments: Sequence[Department]) -> list[Finding]:
    """The open findings addressed to any of `departments` (sub-item parents left out:
    their sub-items carry the work)."""
    return list(
        Finding.objects.filter(departments__in=departments)
        .with_status()
        .counted()
        .open()
        .select_related("audit")
        .prefetch_related("departments")
        .distinct()
        .order_by("audit__fiscal_year", "audit_id", "id")
    )


@logs_acting_user
@transaction.atomic
def retire_department(dept: Department, *, user: User) -> Department:
    """Retire a department that nothing still depends on. One with open findings, 課 or
    staff needs a successor: a reorganisation (abolish) moves them."""
    dept = Department.objects.select_for_update().get(pk=dept.pk)
    if not dept.is_active:
        raise OrganisationError("この所属はすでに廃止されています。")
    blockers = []
    if dept.children.filter(is_active=True).exists():
        blockers.append("現存する課があります")
    if open_findings_of([dept]):
        blockers.append("未完了の指摘事項があります")
    if Membership.objects.current().filter(department=dept).exists():
        blockers.append("所属する職員がいます")
    if blockers:
        raise OrganisationError(
            "廃止できません（" + "、".join(blockers) + "）。組織改編の「廃止（後継へ引継ぎ）」で"
            "後継の所属を指定してください。"
        )
    dept.is_active = False
    dept.save()
    record_activity(user, "所属を廃止", dept, dept.full_name)
    return dept


# --- reorganisations --------------------------------------------------------------------


def _check_reorganisation(
    kind: str,
    effective_date: datetime.date,
    sources: Sequence[Department],
    targets: Sequence[Department],
    new_name: str,
    new_parent: Department | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in ReorganisationKind.values:
        errors["kind"] = "改編の種類を選んでください。"
    message = check_date(effective_date)
    if message:
        errors["effective_date"] = message
    if not sources:
        errors["sources"] = "対象の所属を選んでください。"
    if any(not d.is_active for d in sources):
        errors["sources"] = "廃止された所属は対象にできません。"
    if any(not d.is_active for d in targets):
        errors["targets"] = "廃止された所属は後継にできません。"
    if kind == ReorganisationKind.RENAME:
        if len(sources) != 1:
            errors["sources"] = "名称変更は1つの所属を選んでください。"
        if not new_name.strip() and new_parent is None:
            errors["new_name"] = "新しい名称か新しい上位の部局を入力してください。"
        if new_parent is not None and new_parent.parent_id is not None:
            errors["new_parent"] = "上位には部局を選んでください。"
    elif kind == ReorganisationKind.MERGE:
        if len(sources) < 2:
            errors["sources"] = "統合する所属を2つ以上選んでください。"
        if len(targets) != 1:
            errors["targets"] = "統合後の所属を1つ選んでください。"
    elif kind == ReorganisationKind.SPLIT:
        if len(sources) != 1:
            errors["sources"] = "分割する所属を1つ選んでください。"
        if len(targets) < 2:
            errors["targets"] = "分割後の所属を2つ以上選んでください。"
        elif any(t.pk == s.pk for t in targets for s in sources):
            errors["targets"] = "分割後の所属に分割する所属自身は選べません。"
    elif kind == ReorganisationKind.ABOLISH:
        if len(sources) != 1:
            errors["sources"] = "廃止する所属を1つ選んでください。"
        if len(targets) != 1:
            errors["targets"] = "後継の所属を1つ選んでください。"
        elif targets[0].pk == sources[0].pk:
            errors["targets"] = "後継には廃止する所属以外を選んでください。"
    if kind != ReorganisationKind.RENAME and any(s.children.exists() for s in sources):
        errors["sources"] = "課のある部局は統合・分割・廃止できません。先に課を移してください。"
    if errors:
        raise OrganisationError(errors)


@logs_acting_user
@transaction.atomic
def plan_reorganisation(
    *,
    kind: str,
    effective_date: datetime.date,
    sources: Sequence[Department],
    targets: Sequence[Department] = (),
    new_name: str = "",
    new_parent: Department | None = None,
    note: str = "",
    user: User,
) -> Reorganisation:
    """Record a reorganisation to apply on its date (see apply_reorganisation)."""
    _check_reorganisation(kind, effective_date, sources, targets, new_name, new_parent)
    planned = Reorganisation.objects.filter(
        state=ReorganisationState.PLANNED, sources__in=sources
    ).exists()
    if planned:
        raise OrganisationError(
            {
                "sources": "この所属には適用前の組織改編がすでにあります。先にそれを適用か取消してください。"
            }
        )
    reorg = Reorganisation.objects.create(
        kind=kind,
        effective_date=effective_date,
        new_name=new_name.strip(),
        new_parent=new_parent,
        note=note.strip(),
        created_by=user,
    )
    reorg.sources.set(sources)
    reorg.targets.set(targets)
    record_activity(user, "組織改編を登録", reorg, describe(reorg))
    return reorg


def _linked(reorg: Reorganisation, name: str) -> list[Department]:
    """The sources or targets, from a list page's prefetch when there is one."""
    cache = getattr(reorg, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(getattr(reorg, name).select_related("parent"))


def describe(reorg: Reorganisation) -> str:
    """ "令和7年4月1日 統合: 総務部 A課、総務部 B課 → 総務部 C課"."""
    from audits.wareki import format_wareki

    sources = "、".join(d.full_name for d in _linked(reorg, "sources"))
    targets = "、".join(d.full_name for d in _linked(reorg, "targets"))
    if reorg.kind == ReorganisationKind.RENAME:
        targets = reorg.new_name or ""
        if reorg.new_parent is not None:
            targets = f"{reorg.new_parent.name}の下 {targets}".strip()
    return (
        f"{format_wareki(reorg.effective_date)} {reorg.get_kind_display()}: {sources} → {targets}"
    )


@dataclass
class Preview:
    """What applying a reorganisation will do, listed before it is done."""

    reorganisation: Reorganisation
    retired: list[Department]
    renamed: list[tuple[str, str]]  # (name before, name after)
    findings: list[Finding]  # open findings that move
    moves: dict[int, list[Department]]  # finding id → the departments it moves to
    memberships: list[Membership]  # people who move with their department
    split_people: list[Membership] = field(default_factory=list)  # to be moved by 人事異動
    can_apply_now: bool = False


def _successor(reorg: Reorganisation, targets: list[Department]) -> Department | None:
    return targets[0] if targets else None


def preview(reorg: Reorganisation, today: datetime.date | None = None) -> Preview:
    today = today or timezone.localdate()
    sources = list(reorg.sources.select_related("parent"))
    targets = list(reorg.targets.select_related("parent"))
    target_ids = {t.pk for t in targets}
    retiring = [s for s in sources if s.pk not in target_ids]
    renamed: list[tuple[str, str]] = []
    if reorg.kind == ReorganisationKind.RENAME:
        dept = sources[0]
        parent = reorg.new_parent or dept.parent
        after = reorg.new_name or dept.name
        renamed.append((dept.full_name, f"{parent.name} {after}" if parent else after))
        retiring = []
    findings = open_findings_of(retiring) if retiring else []
    moves = {f.pk: targets for f in findings}
    people = list(
        Membership.objects.current(max(today, reorg.effective_date))
        .filter(department__in=retiring)
        .select_related("user", "department__parent")
    )
    movable = reorg.kind in (ReorganisationKind.MERGE, ReorganisationKind.ABOLISH)
    return Preview(
        reorganisation=reorg,
        retired=retiring,
        renamed=renamed,
        findings=findings,
        moves=moves,
        memberships=people if movable else [],
        split_people=[] if movable else people,
        can_apply_now=reorg.state == ReorganisationState.PLANNED and reorg.effective_date <= today,
    )


@logs_acting_user
@transaction.atomic
def apply_reorganisation(
    reorg: Reorganisation, *, user: User | None, today: datetime.date | None = None
) -> Reorganisation:
    """Apply a planned reorganisation whose date has come: names change (the old ones kept
    as true until the day before), sources retire with the first target as successor,
    their open findings move to the targets (each move kept, dated, so earlier reports
    print the department of the time), and, at a merge or abolition, their staff's
    memberships move along from the date."""
    today = today or timezone.localdate()
    reorg = Reorganisation.objects.select_for_update().get(pk=reorg.pk)
    if reorg.state != ReorganisationState.PLANNED:
        raise OrganisationError("この組織改編は適用済か取消済です。")
    if reorg.effective_date > today:
        raise OrganisationError("発効日がまだ来ていません。発効日になると自動で適用されます。")
    day = reorg.effective_date
    before = day - datetime.timedelta(days=1)
    plan = preview(reorg, today)
    sources = list(reorg.sources.all())
    targets = list(reorg.targets.all())
    if reorg.kind == ReorganisationKind.RENAME:
        dept = Department.objects.select_for_update().get(pk=sources[0].pk)
        _remember_name(dept, before)
        if reorg.new_name:
            dept.name = reorg.new_name
        if reorg.new_parent is not None:
            dept.parent = reorg.new_parent
        dept.save()
    successor = _successor(reorg, targets)
    for dept in plan.retired:
        locked = Department.objects.select_for_update().get(pk=dept.pk)
        locked.is_active = False
        locked.successor = successor
        locked.save()
    retired_ids = {d.pk for d in plan.retired}
    for finding in plan.findings:
        current = {d.pk for d in finding.departments.all()}
        leaving = [pk for pk in current if pk in retired_ids]
        for target in targets:
            added = target.pk not in current
            for from_id in leaving:
                FindingTransfer.objects.create(
                    finding=finding,
                    from_department_id=from_id,
                    to_department=target,
                    effective_date=day,
                    added_target=added,
                    reorganisation=reorg,
                )
                added = False
        finding.departments.remove(*leaving)
        finding.departments.add(*targets)
    if successor is not None:
        for membership in plan.memberships:
            _move_membership(membership, successor, day)
    reorg.state = ReorganisationState.APPLIED
    reorg.applied_at = timezone.now()
    reorg.save()
    record_activity(user, "組織改編を適用", reorg, describe(reorg))
    return reorg


def _move_membership(membership: Membership, to: Department, day: datetime.date) -> None:
    """End `membership` the day before `day` and continue it in `to` from `day`."""
    if membership.valid_from >= day:
        membership.department = to
        membership.save()
        return
    membership.valid_to = day - datetime.timedelta(days=1)
    membership.save()
    already = (
        Membership.objects.current(day)
        .filter(user_id=membership.user_id, department=to, role=membership.role)
        .exists()
    )
    if not already:
        Membership.objects.create(
            user_id=membership.user_id, department=to, role=membership.role, valid_from=day
        )


@logs_acting_user
@transaction.atomic
def cancel_reorganisation(reorg: Reorganisation, *, user: User) -> Reorganisation:
    reorg = Reorganisation.objects.select_for_update().get(pk=reorg.pk)
    if reorg.state != ReorganisationState.PLANNED:
        raise OrganisationError("適用済の組織改編は取り消せません。")
    reorg.state = ReorganisationState.CANCELLED
    reorg.save()
    record_activity(user, "組織改編を取消", reorg, describe(reorg))
    return reorg


def due_reorganisations(today: datetime.date) -> list[Reorganisation]:
    return list(
        Reorganisation.objects.filter(
            state=ReorganisationState.PLANNED, effective_date__lte=today
        ).order_by("effective_date", "id")
    )
