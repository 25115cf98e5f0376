"""Demo data for the 管理者's organisation pages (idempotent): every demo account gets
the membership its department implies, a 監査委員 login, and one planned
reorganisation for next April whose preview shows what would move."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from audits.models import Department, Membership, User
from audits.roles import ROLE_PRECEDENCE, Role
from organisation.models import Reorganisation
from organisation.services import plan_reorganisation

COMMITTEE_LOGIN = ("iin", "iin-demo-2026", "監査委員 五郎")


def _strongest_role(user: User) -> str | None:
    names = {g.name for g in user.groups.all()}
    return next((r.value for r in ROLE_PRECEDENCE if r.value in names), None)


@transaction.atomic
def load_organisation_demo() -> tuple[str, str, Role]:
    kansaka = Department.objects.get(code="kansaka")
    username, password, name = COMMITTEE_LOGIN
    committee, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name,
            "department": kansaka,
            "email": f"{username}@example.lg.jp",
        },
    )
    if created:
        committee.set_password(password)
        committee.save()
    committee.groups.add(Group.objects.get(name=Role.AUDIT_COMMITTEE.value))
    start = datetime.date(2020, 4, 1)
    for user in User.objects.filter(department__isnull=False, memberships__isnull=True):
        role = _strongest_role(user)
        if role is not None and user.department is not None:
            Membership.objects.create(
                user=user, department=user.department, role=role, valid_from=start
            )
    if not Reorganisation.objects.exists():
        today = timezone.localdate()
        april = datetime.date(today.year + (1 if today.month >= 4 else 0), 4, 1)
        shimin = Department.objects.get(code="shimin")
        koseki = Department.objects.get(code="koseki")
        admin = User.objects.get(username="admin")
        plan_reorganisation(
            kind="merge",
            effective_date=april,
            sources=[shimin, koseki],
            targets=[shimin],
            note="デモ: 市民課が戸籍住民課を統合（発効日前は予定のまま。内容を確認できます）",
            user=admin,
        )
    return username, password, Role.AUDIT_COMMITTEE
