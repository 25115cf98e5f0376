"""Every change to checklists, rounds, responses and visits. Each takes domain objects
and the acting user, runs in one transaction and leaves a line in the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Audit, AuditKind, Department, User
from audits.services import add_section, add_viewpoint, create_audit
from findings.models import FindingKind
from findings.services import add_finding, delete_finding
from history.context import logs_acting_user
from history.models import record_activity
from inspections.access import can_manage, may_answer
from inspections.models import (
    Answer,
    AnswerOption,
    Checklist,
    ChecklistCategory,
    ChecklistItem,
    InspectionResponse,
    InspectionRound,
    ItemNote,
    OptionMeaning,
    ResponseState,
    RoundKind,
    VisitInvestigation,
)

# The audit kind each round kind's container audit carries (migration 0002 adds them).
AUDIT_KIND_OF = {RoundKind.SELF_INSPECTION: "自己点検", RoundKind.SURVEY: "調査"}
VISIT_AUDIT_KIND = "訪問調査"
# 課題 from answers are 指摘 of the container audit.
ISSUE_FINDING_KIND = "shiteki"


class InspectionNotAllowed(ValidationError):
    """A rule of state refuses the change (a used checklist, a submitted response …)."""


def _require_manager(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied("自己点検・調査を管理する権限がありません。")


def _check_year(fiscal_year: int) -> None:
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise ValidationError({"fiscal_year": "年度が正しくありません。"})


# --- checklists ---------------------------------------------------------------------------


def checklist_in_use(checklist: Checklist) -> bool:
    return checklist.rounds.exists()


def _require_editable(checklist: Checklist) -> None:
    if checklist_in_use(checklist):
        raise InspectionNotAllowed(
            "この点検票は実施中・実施済みの点検で使われているため変更できません。"
            "新しい年度の点検票は複写して作ってください。"
        )


@logs_acting_user
@transaction.atomic
def create_checklist(*, fiscal_year: int, name: str, user: User) -> Checklist:
    _require_manager(user)
    _check_year(fiscal_year)
    name = name.strip()
    if Checklist.objects.filter(fiscal_year=fiscal_year, name=name).exists():
        raise ValidationError({"name": "同じ年度に同じ名称の点検票があります。"})
    checklist = Checklist(fiscal_year=fiscal_year, name=name, created_by=user)
    checklist.full_clean()
    checklist.save()
    return checklist


@logs_acting_user
@transaction.atomic
def add_category(
    checklist: Checklist, *, number: str, title: str, description: str = "", user: User
) -> ChecklistCategory:
    _require_manager(user)
    _require_editable(checklist)
    if checklist.categories.filter(number=number).exists():
        raise ValidationError({"number": f"番号「{number}」の分類はこの点検票に既にあります。"})
    order = checklist.categories.aggregate(m=Max("sort_order"))["m"]
    category = ChecklistCategory(
        checklist=checklist,
        number=number,
        title=title,
        description=description,
        sort_order=0 if order is None else order + 1,
    )
    category.full_clean()
    category.save()
    return category


@dataclass(frozen=True)
class OptionSpec:
    label: str
    meaning: str


DEFAULT_OPTIONS = (
    OptionSpec("実施", OptionMeaning.DONE),
    OptionSpec("一部実施", OptionMeaning.ISSUE),
    OptionSpec("未実施", OptionMeaning.ISSUE),
    OptionSpec("該当なし", OptionMeaning.NOT_APPLICABLE),
)


@logs_acting_user
@transaction.atomic
def add_item(
    category: ChecklistCategory,
    *,
    number: str,
    question: str,
    result_phrase: str,
    options: Sequence[OptionSpec] = DEFAULT_OPTIONS,
    applies_to: Iterable[Department] = (),
    depends_on: AnswerOption | None = None,
    denominator_label: str = "",
    allows_other_text: bool = True,
    user: User,
) -> ChecklistItem:
    _require_manager(user)
    _require_editable(category.checklist)
    errors: dict[str, str] = {}
    if category.items.filter(number=number).exists():
        errors["number"] = f"番号「{number}」の項目はこの分類に既にあります。"
    labels = [o.label.strip() for o in options]
    if len(labels) < 2:
        errors["options"] = "回答の選択肢を2つ以上入力してください。"
    elif len(set(labels)) != len(labels):
        errors["options"] = "同じ回答の選択肢が2回あります。"
    elif not any(o.meaning == OptionMeaning.DONE for o in options):
        errors["options"] = "「実施」に当たる（件数に数える）選択肢を1つ以上入れてください。"
    elif any(o.meaning not in OptionMeaning.values for o in options):
        errors["options"] = "選択肢の意味が正しくありません。"
    if depends_on is not None and depends_on.item.category.checklist_id != category.checklist_id:
        errors["depends_on"] = "この点検票の項目の回答を選んでください。"
    if errors:
        raise ValidationError(errors)
    order = ChecklistItem.objects.filter(category=category).aggregate(m=Max("sort_order"))["m"]
    item = ChecklistItem(
        category=category,
        number=number,
        question=question,
        result_phrase=result_phrase,
        denominator_label=denominator_label,
        allows_other_text=allows_other_text,
        depends_on=depends_on,
        sort_order=0 if order is None else order + 1,
    )
    item.full_clean(exclude=["applies_to"])
    item.save()
    item.applies_to.set(list(applies_to))
    for position, spec in enumerate(options):
        AnswerOption.objects.create(
            item=item, label=spec.label.strip(), meaning=spec.meaning, sort_order=position
        )
    return item


@logs_acting_user
@transaction.atomic
def delete_item(item: ChecklistItem, *, user: User) -> None:
    """An item goes while its checklist is unused and no other item depends on it."""
    _require_manager(user)
    _require_editable(item.category.checklist)
    dependents = ChecklistItem.objects.filter(depends_on__item=item)
    if dependents.exists():
        names = "、".join(
            f"{d.category.number}{d.number}" for d in dependents.select_related("category")
        )
        raise InspectionNotAllowed(
            f"項目 {names} がこの項目の回答を前提にしているため削除できません。"
        )
    item.options.all().delete()
    item.applies_to.clear()
    item.delete()


@logs_acting_user
@transaction.atomic
def delete_category(category: ChecklistCategory, *, user: User) -> None:
    _require_manager(user)
    _require_editable(category.checklist)
    if category.items.exists():
        raise InspectionNotAllowed("項目のある分類は削除できません。先に項目を削除してください。")
    category.delete()


@logs_acting_user
@transaction.atomic
def copy_checklist(source: Checklist, *, fiscal_year: int, name: str, user: User) -> Checklist:
    """A new year's checklist as a copy of `source`: categories, items, options, the
    departments each item applies to (a retired one by its successor) and the answers
    items depend on."""
    _require_manager(user)
    copy = create_checklist(fiscal_year=fiscal_year, name=name, user=user)
    copy.copied_from = source
    copy.save(update_fields=["copied_from"])
    option_map: dict[int, AnswerOption] = {}
    pending_dependencies: list[tuple[ChecklistItem, int]] = []
    categories = source.categories.prefetch_related(
        "items__options", "items__applies_to__successor"
    )
    for category in categories:
        new_category = ChecklistCategory.objects.create(
            checklist=copy,
            number=category.number,
            title=category.title,
            description=category.description,
            sort_order=category.sort_order,
        )
        for item in category.items.all():
            new_item = ChecklistItem.objects.create(
                category=new_category,
                number=item.number,
                question=item.question,
                result_phrase=item.result_phrase,
                denominator_label=item.denominator_label,
                allows_other_text=item.allows_other_text,
                sort_order=item.sort_order,
            )
            applies = []
            for department in item.applies_to.all():
                while not department.is_active and department.successor is not None:
                    department = department.successor
                applies.append(department)
            new_item.applies_to.set(applies)
            for option in item.options.all():
                option_map[option.pk] = AnswerOption.objects.create(
                    item=new_item,
                    label=option.label,
                    meaning=option.meaning,
                    sort_order=option.sort_order,
                )
            if item.depends_on_id is not None:
                pending_dependencies.append((new_item, item.depends_on_id))
    for new_item, old_option in pending_dependencies:
        new_item.depends_on = option_map[old_option]
        new_item.save(update_fields=["depends_on"])
    record_activity(user, "点検票を複写", copy, f"{source} → {copy}")
    return copy


# --- rounds -------------------------------------------------------------------------------


def _audit_kind(name: str) -> AuditKind:
    kind, _ = AuditKind.objects.get_or_create(name=name, defaults={"sort_order": 45})
    return kind


@logs_acting_user
@transaction.atomic
def open_inspection_round(
    *,
    name: str,
    fiscal_year: int,
    kind: str,
    checklist: Checklist,
    departments: Sequence[Department],
    start_date: datetime.date,
    deadline: datetime.date,
    purpose: str = "",
    user: User,
) -> InspectionRound:
    """Send the checklist to the departments. The round's container audit (kind 自己点検
    or 調査, one section per category) will hold the 課題 its answers show."""
    _require_manager(user)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "名称を入力してください。"
    elif InspectionRound.objects.filter(name=name).exists():
        errors["name"] = "同じ名称の点検・調査があります。"
    if kind not in RoundKind.values:
        errors["kind"] = "種類を選んでください。"
    if not departments:
        errors["departments"] = "対象の所属を1つ以上選んでください。"
    if deadline < start_date:
        errors["deadline"] = "回答期限は開始日以降の日付にしてください。"
    if not checklist.categories.filter(items__isnull=False).exists():
        errors["checklist"] = "項目のない点検票では始められません。"
    if errors:
        raise ValidationError(errors)
    _check_year(fiscal_year)
    audit = create_audit(
        fiscal_year=fiscal_year,
        kinds=[_audit_kind(AUDIT_KIND_OF[RoundKind(kind)])],
        theme=name,
        audited_departments=departments,
        finding_kinds=[FindingKind.objects.get(code=ISSUE_FINDING_KIND)],
        period_start=start_date,
        period_end=deadline,
        auditors=[user],
        user=user,
    )
    for category in checklist.categories.all():
        add_section(
            audit,
            number=category.number,
            title=category.title,
            sort_order=category.sort_order,
            user=user,
        )
    round_ = InspectionRound(
        name=name,
        fiscal_year=fiscal_year,
        kind=kind,
        checklist=checklist,
        start_date=start_date,
        deadline=deadline,
        purpose=purpose,
        audit=audit,
        opened_by=user,
    )
    round_.full_clean(exclude=["departments", "audit"])
    round_.save()
    round_.departments.set(list(departments))
    record_activity(user, "自己点検・調査を開始", round_, f"{len(departments)}所属 期限 {deadline}")
    return round_


# --- answering ----------------------------------------------------------------------------


def applicable_items(
    items: Sequence[ChecklistItem],
    department_id: int,
    chosen: Mapping[int, int | None],
    applies: Mapping[int, set[int]],
) -> list[ChecklistItem]:
    """The items this department answers: those that apply to it (`applies`: item id →
    department ids, empty for all) and whose antecedent answer, if any, it gave
    (`chosen`: item id → option id)."""
    result = []
    for item in items:
        targets = applies.get(item.pk)
        if targets and department_id not in targets:
            continue
        if item.depends_on_id is not None:
            antecedent = item.depends_on
            if antecedent is None or chosen.get(antecedent.item_id) != item.depends_on_id:
                continue
        result.append(item)
    return result


def checklist_items(checklist: Checklist) -> list[ChecklistItem]:
    """Every item in print order, with its category, options and dependency loaded."""
    return list(
        ChecklistItem.objects.filter(category__checklist=checklist)
        .select_related("category", "depends_on")
        .prefetch_related("options")
        .order_by("category__sort_order", "category_id", "sort_order", "id")
    )


def applies_map(items: Sequence[ChecklistItem]) -> dict[int, set[int]]:
    applies: dict[int, set[int]] = {}
    rows = ChecklistItem.applies_to.through.objects.filter(
        checklistitem_id__in=[i.pk for i in items]
    ).values_list("checklistitem_id", "department_id")
    for item_id, department_id in rows:
        applies.setdefault(item_id, set()).add(department_id)
    return applies


@dataclass(frozen=True)
class AnswerInput:
    option_id: int | None
    other_text: str = ""


def _lock_response(round_: InspectionRound, department: Department) -> InspectionResponse:
    response, _ = InspectionResponse.objects.get_or_create(round=round_, department=department)
    return InspectionResponse.objects.select_for_update().get(pk=response.pk)


@logs_acting_user
@transaction.atomic
def save_answers(
    round_: InspectionRound,
    department: Department,
    answers: Mapping[int, AnswerInput],
    *,
    user: User,
) -> InspectionResponse:
    """Keep the department's answers as a draft (a returned response stays returned
    until it is submitted again). Answers to items that do not apply are dropped."""
    if not may_answer(user, department):
        raise PermissionDenied("この所属の回答を入力する権限がありません。")
    if not round_.departments.filter(pk=department.pk).exists():
        raise InspectionNotAllowed("この所属はこの点検・調査の対象ではありません。")
    response = _lock_response(round_, department)
    if not response.is_editable:
        raise InspectionNotAllowed("提出済みの回答は変更できません（差し戻されると変更できます）。")
    items = {i.pk: i for i in checklist_items(round_.checklist)}
    options = {o.pk: o for i in items.values() for o in i.options.all()}
    errors: dict[str, str] = {}
    for item_id, given in answers.items():
        item = items.get(item_id)
        if item is None:
            errors["__all__"] = "この点検票にない項目への回答があります。"
        elif given.option_id is not None and (
            given.option_id not in options or options[given.option_id].item_id != item_id
        ):
            errors[f"item_{item_id}"] = "選択肢にない回答です。一覧から選んでください。"
    if errors:
        raise ValidationError(errors)
    chosen = {item_id: given.option_id for item_id, given in answers.items()}
    applicable = {
        i.pk
        for i in applicable_items(
            list(items.values()), department.pk, chosen, applies_map(list(items.values()))
        )
    }
    existing = {a.item_id: a for a in response.answers.all()}
    for item_id, given in answers.items():
        text = given.other_text.strip() if items[item_id].allows_other_text else ""
        option_id = given.option_id if item_id in applicable else None
        text = text if item_id in applicable else ""
        answer = existing.get(item_id)
        if answer is None:
            if option_id is None and not text:
                continue
            Answer.objects.create(
                response=response, item_id=item_id, option_id=option_id, other_text=text
            )
        elif answer.option_id != option_id or answer.other_text != text:
            answer.option_id, answer.other_text = option_id, text
            answer.save(update_fields=["option", "other_text"])
    response.updated_by = user
    response.save()
    return response


@logs_acting_user
@transaction.atomic
def submit_response(
    round_: InspectionRound, department: Department, *, user: User
) -> InspectionResponse:
    """Submit the saved answers. Every item that applies must be answered. Each answer
    showing a 課題 becomes a finding addressed to the department (once); a finding whose
    answer no longer shows one, and on which nothing was reported, is removed."""
    if not may_answer(user, department):
        raise PermissionDenied("この所属の回答を提出する権限がありません。")
    response = _lock_response(round_, department)
    if not response.is_editable:
        raise InspectionNotAllowed("この回答は提出済みです。")
    items = checklist_items(round_.checklist)
    answers = {a.item_id: a for a in response.answers.select_related("option", "finding")}
    chosen = {item_id: a.option_id for item_id, a in answers.items()}
    applicable = applicable_items(items, department.pk, chosen, applies_map(items))
    missing = [i for i in applicable if chosen.get(i.pk) is None]
    if missing:
        names = "、".join(f"{i.category.number}{i.number}" for i in missing[:10])
        raise InspectionNotAllowed(
            f"回答していない項目があります: {names}{' ほか' if len(missing) > 10 else ''}"
        )
    _sync_findings(round_, department, applicable, answers, user)
    response.state = ResponseState.SUBMITTED
    response.return_reason = ""
    response.submitted_at = timezone.now()
    response.updated_by = user
    response.save()
    record_activity(user, "点検の回答を提出", response, f"{round_} {department.full_name}")
    return response


def _sync_findings(
    round_: InspectionRound,
    department: Department,
    applicable: list[ChecklistItem],
    answers: Mapping[int, Answer],
    user: User,
) -> None:
    audit: Audit = round_.audit
    applicable_ids = {i.pk for i in applicable}
    for answer in answers.values():
        shows_issue = (
            answer.item_id in applicable_ids
            and answer.option is not None
            and answer.option.shows_issue
        )
        if answer.finding is not None and not shows_issue and not answer.finding.entries.exists():
            finding = answer.finding
            answer.finding = None
            answer.save(update_fields=["finding"])
            delete_finding(finding, user=user)
    sections = {s.number: s for s in audit.sections.all()}
    viewpoints = {v.number: v for v in audit.viewpoints.all()}
    kind = FindingKind.objects.get(code=ISSUE_FINDING_KIND)
    for position, item in enumerate(applicable):
        found = answers.get(item.pk)
        if found is None or found.option is None or not found.option.shows_issue:
            continue
        answer, option = found, found.option
        if answer.finding is not None:
            continue
        number = f"{item.category.number}{item.number}"[:10]
        viewpoint = viewpoints.get(number)
        if viewpoint is None:
            viewpoint = add_viewpoint(audit, number=number, text=item.question, user=user)
            viewpoints[number] = viewpoint
        body = f"{item.question}\n回答: {option.label}"
        if answer.other_text:
            body += f"\nその他の対応: {answer.other_text}"
        answer.finding = add_finding(
            audit,
            kind=kind,
            section=sections.get(item.category.number),
            viewpoint=viewpoint,
            title=f"{department.full_name}（{option.label}）"[:200],
            body=body,
            departments=[department],
            # Print order: by item, then by department; given, so no sibling is renumbered.
            sort_order=position * 1_000_000 + min(department.sort_order, 999_999),
            user=user,
        )
        answer.save(update_fields=["finding"])


def _reviewable(response: InspectionResponse, user: User) -> InspectionResponse:
    _require_manager(user)
    locked = InspectionResponse.objects.select_for_update().get(pk=response.pk)
    if locked.state != ResponseState.SUBMITTED:
        raise InspectionNotAllowed("提出済み（審査待ち）の回答だけを受理・差戻しできます。")
    return locked


@logs_acting_user
@transaction.atomic
def return_response(response: InspectionResponse, *, reason: str, user: User) -> InspectionResponse:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "差戻しの理由を入力してください（所属に表示されます）。"})
    locked = _reviewable(response, user)
    locked.state = ResponseState.RETURNED
    locked.return_reason = reason
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    locked.save()
    record_activity(user, "点検の回答を差戻し", locked, reason[:200])
    return locked


@logs_acting_user
@transaction.atomic
def accept_response(response: InspectionResponse, *, user: User) -> InspectionResponse:
    locked = _reviewable(response, user)
    locked.state = ResponseState.ACCEPTED
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = user
    locked.save()
    record_activity(user, "点検の回答を受理", locked)
    return locked


@logs_acting_user
@transaction.atomic
def save_item_note(
    round_: InspectionRound,
    item: ChecklistItem,
    *,
    other_lines: str,
    direction: str,
    user: User,
) -> ItemNote:
    _require_manager(user)
    if item.category.checklist_id != round_.checklist_id:
        raise ValidationError("この点検・調査の項目ではありません。")
    note, _ = ItemNote.objects.get_or_create(round=round_, item=item)
    note.other_lines = "\n".join(
        line.strip() for line in other_lines.replace("\r\n", "\n").split("\n") if line.strip()
    )
    note.direction = direction.strip()
    note.save()
    return note


# --- visits -------------------------------------------------------------------------------


@logs_acting_user
@transaction.atomic
def create_visit(
    *,
    name: str,
    fiscal_year: int,
    departments: Sequence[Department],
    round_: InspectionRound | None = None,
    selection_note: str = "",
    visit_date: datetime.date | None = None,
    user: User,
) -> VisitInvestigation:
    """A visit to the chosen departments. Its container audit (kind 訪問調査) takes the
    課題 found as findings (the audit's own finding pages), the 優良事例 as 推奨する点,
    and the follow-up as remediation entries on those findings."""
    _require_manager(user)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "名称を入力してください。"
    elif VisitInvestigation.objects.filter(name=name).exists():
        errors["name"] = "同じ名称の訪問調査があります。"
    if not departments:
        errors["departments"] = "訪問する所属を1つ以上選んでください。"
    if errors:
        raise ValidationError(errors)
    _check_year(fiscal_year)
    audit = create_audit(
        fiscal_year=fiscal_year,
        kinds=[_audit_kind(VISIT_AUDIT_KIND)],
        theme=name,
        audited_departments=departments,
        finding_kinds=[FindingKind.objects.get(code=ISSUE_FINDING_KIND)],
        period_start=visit_date,
        auditors=[user],
        user=user,
    )
    visit = VisitInvestigation(
        name=name,
        fiscal_year=fiscal_year,
        round=round_,
        selection_note=selection_note.strip(),
        audit=audit,
        created_by=user,
    )
    visit.full_clean(exclude=["audit"])
    visit.save()
    record_activity(user, "訪問調査を作成", visit, f"{len(departments)}所属")
    return visit


def rotation_candidates(count: int) -> list[Department]:
    """Departments for a visit by rotation: the active 課 visited longest ago, those never
    visited first."""
    rows = (
        Department.objects.filter(is_active=True, parent__isnull=False)
        .annotate(last_visit=Max("audits_as_target__visit__created_at"))
        .select_related("parent")
        .order_by(F("last_visit").asc(nulls_first=True), "sort_order", "code")
    )
    return list(rows[: max(0, count)])
