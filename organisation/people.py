"""People: creating, changing and disabling accounts, their role and their dated
memberships, resetting a password, and applying 人事異動 lines.

A role is a Django group (audits.roles); a department is a Membership from a date. The
account's User.department is the department shown in the header and stamped on the
entries a person posts: it follows their first current membership.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.models import Department, Membership, User
from audits.roles import ROLE_PRECEDENCE, Role
from history.context import logs_acting_user
from history.models import record_activity
from organisation.models import PersonnelChange
from organisation.services import OrganisationError

# Roles that act for the departments of their memberships; the others see everything.
DEPARTMENT_SCOPED = frozenset({Role.DEPARTMENT_STAFF})
ROLE_CHOICES = [(r.value, r.label) for r in ROLE_PRECEDENCE]


def role_from_text(text: str) -> Role | None:
    text = text.strip()
    return next((r for r in ROLE_PRECEDENCE if r.value == text), None)


def _set_role(person: User, role: Role | None) -> None:
    names = [r.value for r in ROLE_PRECEDENCE]
    person.groups.remove(*Group.objects.filter(name__in=names))
    if role is not None:
        person.groups.add(Group.objects.get(name=role.value))
    if hasattr(person, "_role_cache"):
        del person._role_cache


def current_departments(person: User, day: datetime.date | None = None) -> list[Department]:
    return [
        m.department
        for m in Membership.objects.current(day)
        .filter(user=person)
        .select_related("department__parent")
    ]


def _sync_primary(person: User, day: datetime.date) -> None:
    """User.department follows the first membership in force on `day` (kept when none)."""
    first = Membership.objects.current(day).filter(user=person).order_by("valid_from", "id").first()
    if first is not None and person.department_id != first.department_id:
        person.department_id = first.department_id
        person.save(update_fields=["department"])


def _check_person(
    username: str, display_name: str, employee_number: str, person: User | None
) -> None:
    errors: dict[str, str] = {}
    others = User.objects.exclude(pk=person.pk) if person else User.objects.all()
    if not username:
        errors["username"] = "ログインIDを入力してください。"
    elif others.filter(username=username).exists():
        errors["username"] = f"ログインID「{username}」はすでに使われています。"
    if not display_name:
        errors["display_name"] = "氏名を入力してください。"
    if employee_number and others.filter(employee_number=employee_number).exists():
        errors["employee_number"] = f"職員番号「{employee_number}」はすでに使われています。"
    if errors:
        raise OrganisationError(errors)


def _check_departments(role: Role | None, departments: Sequence[Department]) -> None:
    if role in DEPARTMENT_SCOPED and not departments:
        raise OrganisationError({"departments": "所管課担当には所属を1つ以上選んでください。"})
    if any(not d.is_active for d in departments):
        raise OrganisationError({"departments": "廃止された所属は選べません。"})


def _check_password(password: str, person: User) -> None:
    try:
        validate_password(password, user=person)
    except ValidationError as error:
        raise OrganisationError({"password1": " ".join(error.messages)}) from None


@logs_acting_user
@transaction.atomic
def create_person(
    *,
    username: str,
    display_name: str,
    email: str,
    employee_number: str,
    role: Role | None,
    departments: Sequence[Department],
    password: str,
    valid_from: datetime.date | None = None,
    user: User,
) -> User:
    username, display_name = username.strip(), display_name.strip()
    _check_person(username, display_name, employee_number, None)
    _check_departments(role, departments)
    person = User(
        username=username,
        display_name=display_name,
        email=email,
        employee_number=employee_number,
        department=departments[0] if departments else None,
    )
    _check_password(password, person)
    person.set_password(password)
    person.save()
    _set_role(person, role)
    day = valid_from or timezone.localdate()
    for dept in departments:
        Membership.objects.create(
            user=person, department=dept, role=(role or Role.DEPARTMENT_STAFF).value, valid_from=day
        )
    record_activity(user, "利用者を登録", person, f"{person} ({person.username})")
    return person


@logs_acting_user
@transaction.atomic
def update_person(
    person: User,
    *,
    username: str,
    display_name: str,
    email: str,
    employee_number: str,
    role: Role | None,
    departments: Sequence[Department],
    user: User,
) -> User:
    """Change the account and, from today, its departments: memberships no longer wanted
    end yesterday, new ones begin today; the dated ones of the past stay as they were."""
    username, display_name = username.strip(), display_name.strip()
    person = User.objects.select_for_update().get(pk=person.pk)
    _check_person(username, display_name, employee_number, person)
    _check_departments(role, departments)
    if person.pk == user.pk and role != Role.ADMINISTRATOR:
        raise OrganisationError({"role": "自分自身の管理者の役割は外せません。"})
    person.username, person.display_name = username, display_name
    person.email, person.employee_number = email, employee_number
    person.save()
    _set_role(person, role)
    today = timezone.localdate()
    _set_memberships(person, departments, (role or Role.DEPARTMENT_STAFF).value, today)
    record_activity(user, "利用者を変更", person, f"{person} ({person.username})")
    return person


def _set_memberships(
    person: User, departments: Sequence[Department], role: str, day: datetime.date
) -> None:
    wanted = {d.pk: d for d in departments}
    for membership in Membership.objects.current(day).filter(user=person):
        if membership.department_id in wanted and membership.role == role:
            del wanted[membership.department_id]
            continue
        if membership.valid_from >= day:
            membership.delete()  # never in force: nothing to keep
        else:
            membership.valid_to = day - datetime.timedelta(days=1)
            membership.save()
    for dept in wanted.values():
        Membership.objects.create(user=person, department=dept, role=role, valid_from=day)
    _sync_primary(person, day)


@logs_acting_user
@transaction.atomic
def set_active(person: User, *, active: bool, user: User) -> User:
    """Disable (never delete: what they posted stays theirs) or enable an account. A
    disabled account cannot sign in, and its sessions end at their next request."""
    if person.pk == user.pk and not active:
        raise OrganisationError("自分自身のアカウントは無効にできません。")
    person = User.objects.select_for_update().get(pk=person.pk)
    person.is_active = active
    person.save()
    if not active:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        _end_memberships(person, yesterday)
    record_activity(user, "利用者を有効化" if active else "利用者を無効化", person, str(person))
    return person


def _end_memberships(person: User, last_day: datetime.date) -> None:
    for membership in Membership.objects.filter(user=person).exclude(valid_to__lte=last_day):
        if membership.valid_from > last_day:
            membership.delete()
        else:
            membership.valid_to = last_day
            membership.save()


@logs_acting_user
@transaction.atomic
def reset_password(person: User, *, password: str, user: User) -> User:
    """Set a new password chosen by the 管理者 (checked by the site's password rules).
    The second factor stays: a lost phone is reset on ログインの管理."""
    if person.pk == user.pk:
        raise OrganisationError(
            {"password1": "自分のパスワードは「パスワード変更」で変更してください。"}
        )
    _check_password(password, person)
    person = User.objects.select_for_update().get(pk=person.pk)
    person.set_password(password)
    person.save()
    record_activity(user, "パスワードを再設定", person, str(person))
    return person


# --- 人事異動 --------------------------------------------------------------------------


@logs_acting_user
@transaction.atomic
def schedule_change(
    person: User,
    *,
    department: Department | None,
    role: Role | None,
    leaves: bool,
    effective_date: datetime.date,
    batch: str,
    user: User,
    today: datetime.date | None = None,
) -> PersonnelChange:
    """One line of a 人事異動: from `effective_date` the person acts for `department` only
    (their memberships end the day before), or leaves. Applied at once when the date has
    come; else the daily command applies the role and the account state on the day."""
    today = today or timezone.localdate()
    last_day = effective_date - datetime.timedelta(days=1)
    _end_memberships(person, last_day)
    if not leaves and department is not None:
        Membership.objects.create(
            user=person,
            department=department,
            role=(role or Role.DEPARTMENT_STAFF).value,
            valid_from=effective_date,
        )
    change = PersonnelChange.objects.create(
        user=person,
        department=department,
        role=role.value if role else "",
        leaves=leaves,
        effective_date=effective_date,
        batch=batch,
        created_by=user,
    )
    if effective_date <= today:
        apply_change(change, user=user, today=today)
    return change


@logs_acting_user
@transaction.atomic
def apply_change(change: PersonnelChange, *, user: User | None, today: datetime.date) -> None:
    change = PersonnelChange.objects.select_for_update().get(pk=change.pk)
    if change.applied_at is not None:
        return
    person = User.objects.select_for_update().get(pk=change.user_id)
    if change.leaves:
        person.is_active = False
        person.save()
        summary = "退職・転出（アカウントを無効化）"
    else:
        if change.role:
            _set_role(person, role_from_text(change.role))
        if change.department_id is not None and person.department_id != change.department_id:
            person.department_id = change.department_id
            person.save(update_fields=["department"])
        summary = f"異動: {change.department}"
    change.applied_at = timezone.now()
    change.save()
    record_activity(user, "人事異動を適用", person, summary)


def due_changes(today: datetime.date) -> list[PersonnelChange]:
    return list(
        PersonnelChange.objects.filter(applied_at__isnull=True, effective_date__lte=today).order_by(
            "effective_date", "id"
        )
    )
