"""What each person is told in their daily digest. Reads only; sending is services.py.

Department staff hear about the reporting rounds due within REMINDER_DAYS_BEFORE days
or past their deadline in which findings addressed to their departments are still owed
(未報告 or 差戻し), and about entries returned to them since their last digest. The
audit office (監査担当, 管理者) hears how many entries wait for review, the oldest
first, and which rounds are past their deadline with findings owed, per department.
Someone with nothing to hear about gets no digest at all.

The data every digest shares (rounds, their states, pending entries) is read once per
run, not once per person. States are read as they stand when the run happens: `day`
(what --today sets) decides which deadlines are near or past and where "since the last
digest" starts, not what had been recorded by then.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audits.access import department_scope
from audits.models import User
from audits.roles import Role, role_of
from audits.wareki import format_wareki
from findings.models import Finding
from followup.models import ReportingRound
from followup.progress import DepartmentProgress, RoundState, finding_states, round_progress
from inspections.reminders import InspectionDue, for_departments, inspections_due
from remediation.models import EntryReview, RemediationEntry, ReviewDecision
from reminders.models import DigestKind, DigestSent

# The longest list one section of a mail shows; the rest is counted ("ほか 12 件").
LIST_LIMIT = 50
OFFICE_ROLES = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
FINDING_RELATED = ("audit", "viewpoint", "parent__viewpoint", "parent__parent")


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def start_of(day: datetime.date) -> datetime.datetime:
    """Local midnight at the start of `day`, as an aware datetime (clamped to what an
    aware datetime can hold in UTC, so year 1 and year 9999 stay usable)."""
    day = min(max(day, datetime.date(1, 1, 2)), datetime.date(9999, 12, 30))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def shift(day: datetime.date, days: int) -> datetime.date:
    """`day` moved by `days`, stopping at the first or last date there is."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def one_line(text: str) -> str:
    return " ".join(text.split())


def days_text(days_left: int) -> str:
    if days_left > 0:
        return f"期限まであと{days_left}日"
    if days_left == 0:
        return "本日が期限"
    return f"期限を{-days_left}日超過"


@dataclass(frozen=True)
class OwedFinding:
    finding: Finding
    state: RoundState
    return_reason: str = ""

    @property
    def url(self) -> str:
        return absolute_url(reverse("finding_detail", args=[self.finding.pk]))


@dataclass
class RoundDue:
    """A round due soon or overdue, with what one person's departments still owe."""

    round: ReportingRound
    days_left: int
    findings: list[OwedFinding]

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def when(self) -> str:
        return f"{format_wareki(self.round.deadline)}（{days_text(self.days_left)}）"

    @property
    def shown(self) -> list[OwedFinding]:
        return self.findings[:LIST_LIMIT]

    @property
    def more(self) -> int:
        return max(0, len(self.findings) - LIST_LIMIT)

    @property
    def url(self) -> str:
        return absolute_url(reverse("round_detail", args=[self.round.pk]))


@dataclass(frozen=True)
class ReturnedEntry:
    review: EntryReview

    @property
    def finding(self) -> Finding:
        return self.review.entry.finding

    @property
    def url(self) -> str:
        return absolute_url(reverse("finding_detail", args=[self.finding.pk]))


@dataclass(frozen=True)
class PendingEntry:
    entry: RemediationEntry

    @property
    def url(self) -> str:
        return absolute_url(reverse("finding_detail", args=[self.entry.finding_id]))


@dataclass
class OverdueRound:
    round: ReportingRound
    days_over: int
    departments: list[DepartmentProgress]

    @property
    def owed(self) -> int:
        return sum(line.unreported for line in self.departments)

    @property
    def url(self) -> str:
        return absolute_url(reverse("round_detail", args=[self.round.pk]))


@dataclass
class Digest:
    user: User
    kind: DigestKind
    day: datetime.date
    rounds: list[RoundDue] = field(default_factory=list)
    returned: list[ReturnedEntry] = field(default_factory=list)
    pending: list[PendingEntry] = field(default_factory=list)
    pending_count: int = 0
    overdue_rounds: list[OverdueRound] = field(default_factory=list)
    # Self-inspection rounds: staff's own departments that owe an answer; for the audit
    # office the overdue rounds with every department that owes one.
    inspections: list[InspectionDue] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.rounds
            or self.returned
            or self.pending_count
            or self.overdue_rounds
            or self.inspections
        )

    @property
    def address(self) -> str:
        return self.user.email.strip()

    @property
    def summary(self) -> str:
        if self.kind == DigestKind.OFFICE:
            parts = [f"審査待ち {self.pending_count}件"] if self.pending_count else []
            if self.overdue_rounds:
                owed = sum(r.owed for r in self.overdue_rounds)
                parts.append(f"期限超過の照会 {len(self.overdue_rounds)}件（未報告 {owed}件）")
            if self.inspections:
                parts.append(f"期限超過の自己点検・調査 {len(self.inspections)}件")
            return "、".join(parts)
        overdue = sum(len(r.findings) for r in self.rounds if r.overdue)
        due = sum(len(r.findings) for r in self.rounds if not r.overdue)
        parts = []
        if overdue:
            parts.append(f"期限超過 {overdue}件")
        if due:
            parts.append(f"期限間近 {due}件")
        if self.returned:
            parts.append(f"差戻し {len(self.returned)}件")
        if self.inspections:
            parts.append(f"自己点検・調査の回答 {len(self.inspections)}件")
        return "、".join(parts)

    @property
    def subject(self) -> str:
        return f"【措置状況管理】{self.summary}（{format_wareki(self.day)}）"

    def context(self) -> dict[str, object]:
        return {
            "digest": self,
            "user": self.user,
            "day_text": format_wareki(self.day),
            "site_url": settings.SITE_URL,
            "review_url": absolute_url(reverse("review_queue")),
            "mine_url": absolute_url(reverse("my_findings")),
            "pending_more": max(0, self.pending_count - len(self.pending)),
        }

    def render_text(self) -> str:
        """The plain-text mail: short lines, one link per item, no markup."""
        lines = [
            f"{self.user} 様",
            "",
            f"措置状況管理から{format_wareki(self.day)}のお知らせです。",
        ]
        if self.kind == DigestKind.OFFICE:
            lines += self._office_lines()
        else:
            lines += self._department_lines()
        lines += self._inspection_lines()
        lines += [
            "",
            "―――",
            "このメールは措置状況管理が1日に1回までお送りしています。",
            "お知らせすることがない日はお送りしません。",
            f"{settings.SITE_URL}/",
        ]
        return "\n".join(lines) + "\n"

    def _department_lines(self) -> list[str]:
        lines: list[str] = []
        if self.rounds:
            lines += ["", "■ 報告をお願いしている指摘事項（未報告・差戻し）"]
            for due in self.rounds:
                lines += ["", f"◆ {due.round.name}", f"  報告期限: {due.when}", f"  {due.url}"]
                for item in due.shown:
                    lines.append(f"  ・［{item.state}］{item.finding.audit}　{item.finding}")
                    if item.return_reason:
                        lines.append(f"    差戻しの理由: {one_line(item.return_reason)}")
                    lines.append(f"    {item.url}")
                if due.more:
                    lines.append(f"  ほか {due.more}件")
        if self.returned:
            lines += ["", "■ 差し戻された措置（前回のお知らせ以降）"]
            for returned in self.returned:
                review = returned.review
                lines += [
                    f"  ・{returned.finding.audit}　{returned.finding}",
                    f"    {review.entry.entry_date:%Y-%m-%d} 付けの報告「{review.entry.status}」",
                    f"    差戻しの理由: {one_line(review.reason)}",
                    f"    {returned.url}",
                ]
            lines.append("  理由をご確認のうえ、あらためて措置を報告してください。")
        return lines

    def _inspection_lines(self) -> list[str]:
        if not self.inspections:
            return []
        heading = (
            "■ 回答期限を過ぎた自己点検・調査（未提出の所属）"
            if self.kind == DigestKind.OFFICE
            else "■ 回答をお願いしている自己点検・調査（未提出）"
        )
        lines = ["", heading]
        for due in self.inspections:
            lines += ["", f"◆ {due.round.name}", f"  回答期限: {due.when}"]
            lines += due.lines()[:LIST_LIMIT]
            if len(due.departments) > LIST_LIMIT:
                lines.append(f"  ほか {len(due.departments) - LIST_LIMIT}所属")
        return lines

    def _office_lines(self) -> list[str]:
        lines: list[str] = []
        if self.pending_count:
            lines += [
                "",
                f"■ 審査待ちの措置: {self.pending_count}件（古い順）",
                f"  審査する: {absolute_url(reverse('review_queue'))}",
            ]
            for pending in self.pending:
                entry = pending.entry
                department = entry.author_department or "所属なし"
                lines += [
                    f"  ・{timezone.localtime(entry.recorded_at):%Y-%m-%d %H:%M} {department}"
                    f"　{entry.finding.audit}　{entry.finding}［{entry.status}］",
                    f"    {pending.url}",
                ]
            more = self.pending_count - len(self.pending)
            if more > 0:
                lines.append(f"  ほか {more}件")
        if self.overdue_rounds:
            lines += ["", "■ 報告期限を過ぎた照会（未報告・差戻しの件数）"]
            for overdue in self.overdue_rounds:
                lines += [
                    "",
                    f"◆ {overdue.round.name}",
                    f"  報告期限: {format_wareki(overdue.round.deadline)}"
                    f"（{days_text(-overdue.days_over)}）",
                    f"  {overdue.url}",
                ]
                for line in overdue.departments:
                    lines.append(f"  ・{line.department.full_name}: {line.unreported}件")
        return lines

    def render_html(self) -> str:
        return render_to_string(f"reminders/digest_{self.kind}.html", self.context())


@dataclass
class _RoundFacts:
    round: ReportingRound
    days_left: int
    owed: dict[int, RoundState]  # finding id → 未報告 / 差戻し


class DigestPlanner:
    """Builds the digests of one day. Shared facts are read on construction."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day
        horizon = shift(day, settings.REMINDER_DAYS_BEFORE)
        rounds = list(
            ReportingRound.objects.filter(deadline__lte=horizon)
            .select_related("audit")
            .order_by("deadline", "opened_at", "id")
        )
        self.rounds: list[_RoundFacts] = []
        owed_ids: set[int] = set()
        for round_ in rounds:
            owed = {fid: s for fid, s in finding_states(round_).items() if s.is_owed}
            if owed:
                self.rounds.append(_RoundFacts(round_, (round_.deadline - day).days, owed))
                owed_ids.update(owed)
        # In print order, so each list reads like the report.
        self.findings = {
            f.pk: f
            for f in Finding.objects.filter(pk__in=owed_ids)
            .select_related(*FINDING_RELATED)
            .in_print_order()
        }
        self.print_position = {pk: n for n, pk in enumerate(self.findings)}
        self.addressed: dict[int, set[int]] = defaultdict(set)
        for finding_id, department_id in Finding.departments.through.objects.filter(
            finding_id__in=owed_ids
        ).values_list("finding_id", "department_id"):
            self.addressed[finding_id].add(department_id)
        self.return_reasons = self._latest_return_reasons(
            {fid for r in self.rounds for fid, s in r.owed.items() if s == RoundState.RETURNED}
        )
        self.last_sent: dict[int, datetime.datetime] = {}
        for user_id, sent_at in DigestSent.objects.filter(day__lt=day).values_list(
            "user_id", "sent_at"
        ):
            if user_id not in self.last_sent or sent_at > self.last_sent[user_id]:
                self.last_sent[user_id] = sent_at
        # A first digest looks back one day for returns.
        self.first_since = start_of(shift(day, -1))
        self.inspections = inspections_due(day, horizon)
        self._returns: list[EntryReview] | None = None
        self._office: tuple[list[PendingEntry], int, list[OverdueRound]] | None = None

    @staticmethod
    def _latest_return_reasons(finding_ids: set[int]) -> dict[int, str]:
        reasons: dict[int, str] = {}
        reviews = EntryReview.objects.filter(
            entry__finding_id__in=finding_ids, decision=ReviewDecision.RETURNED
        ).order_by("reviewed_at", "id")
        for finding_id, reason in reviews.values_list("entry__finding_id", "reason"):
            reasons[finding_id] = reason
        return reasons

    def since(self, user: User) -> datetime.datetime:
        """Returns are news from the last digest on; a first digest looks back one day."""
        return self.last_sent.get(user.pk, self.first_since)

    def _recent_returns(self) -> list[EntryReview]:
        """Returns the department has not answered yet (no later entry on the finding),
        from the earliest point any recipient needs."""
        if self._returns is None:
            earliest = min([*self.last_sent.values(), self.first_since])
            answered = RemediationEntry.objects.filter(
                finding_id=OuterRef("entry__finding_id"),
                recorded_at__gt=OuterRef("entry__recorded_at"),
            )
            self._returns = list(
                EntryReview.objects.filter(
                    decision=ReviewDecision.RETURNED,
                    reviewed_at__gt=earliest,
                )
                .filter(~Exists(answered))
                .select_related(*(f"entry__finding__{name}" for name in FINDING_RELATED))
                .select_related("entry__status")
                .prefetch_related("entry__finding__departments")
                .order_by("reviewed_at", "id")
            )
        return self._returns

    def for_user(self, user: User) -> Digest | None:
        """The user's digest, or None when they have nothing to hear about (or no role
        that receives one: 管理職 follow the dashboard)."""
        role = role_of(user)
        if role == Role.DEPARTMENT_STAFF:
            digest = self._department_digest(user)
        elif role in OFFICE_ROLES:
            digest = self._office_digest(user)
        else:
            return None
        return None if digest.is_empty else digest

    def _department_digest(self, user: User) -> Digest:
        scope = department_scope(user)
        digest = Digest(user, DigestKind.DEPARTMENT, self.day)
        if not scope:
            return digest
        for facts in self.rounds:
            mine = [
                OwedFinding(self.findings[fid], state, self.return_reasons.get(fid, ""))
                for fid, state in facts.owed.items()
                if self.addressed[fid] & scope
            ]
            if mine:
                mine.sort(key=lambda o: self.print_position[o.finding.pk])
                digest.rounds.append(RoundDue(facts.round, facts.days_left, mine))
        since = self.since(user)
        digest.returned = [
            ReturnedEntry(review)
            for review in self._recent_returns()
            if review.reviewed_at > since
            and {d.pk for d in review.entry.finding.departments.all()} & scope
        ]
        digest.inspections = for_departments(self.inspections, scope)
        return digest

    def _office_digest(self, user: User) -> Digest:
        pending, count, overdue = self._office_facts()
        return Digest(
            user,
            DigestKind.OFFICE,
            self.day,
            pending=pending,
            pending_count=count,
            overdue_rounds=overdue,
            inspections=[due for due in self.inspections if due.overdue],
        )

    def _office_facts(self) -> tuple[list[PendingEntry], int, list[OverdueRound]]:
        if self._office is None:
            waiting = RemediationEntry.objects.filter(review__isnull=True).order_by(
                "recorded_at", "id"
            )
            count = waiting.count()
            pending = [
                PendingEntry(entry)
                for entry in waiting.select_related(
                    "status",
                    "author",
                    "author_department__parent",
                    *(f"finding__{name}" for name in FINDING_RELATED),
                )[:LIST_LIMIT]
            ]
            overdue = []
            for facts in self.rounds:
                if facts.days_left >= 0:
                    continue
                progress = round_progress(facts.round, today=self.day)
                lines = [line for line in progress.departments if line.unreported]
                if lines:
                    overdue.append(OverdueRound(facts.round, -facts.days_left, lines))
            self._office = (pending, count, overdue)
        return self._office


def recipients() -> list[User]:
    """Everyone who may receive a digest: active users holding a role, in a stable order."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[r.value for r in Role]))
        .distinct()
        .select_related("department__parent")
        .prefetch_related("groups")
        .order_by("username")
    )
