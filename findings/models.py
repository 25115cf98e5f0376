"""Findings (指摘 / 意見 / …) and the rules about one finding."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from audits.dates import check_model_dates
from audits.models import Audit, Department, Section, User, Viewpoint

if TYPE_CHECKING:
    from remediation.models import RemediationEntry

UNREPORTED_LABEL = "未報告"


# A finding's body: generous (the longest published ones are a few thousand characters)
# but bounded, so one paste cannot stall every page and PDF that prints it.
BODY_MAX_CHARS = 20_000


class FindingKind(models.Model):
    """区分: 指摘, 意見, リスク発現の可能性があるもの … (another authority adds 勧告 etc.)."""

    code = models.SlugField("コード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    heading = models.CharField(
        "報告書の見出し", max_length=50, blank=True, help_text="空欄なら名称（例: 「指 摘」）"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "指摘区分"
        verbose_name_plural = "指摘区分"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def report_heading(self) -> str:
        return self.heading or self.name


class FindingSubclass(models.Model):
    """A sub-class of a finding class, e.g. 是正 and 改善 under 指摘, printed 【是正】."""

    kind = models.ForeignKey(
        FindingKind, verbose_name="区分", on_delete=models.PROTECT, related_name="subclasses"
    )
    name = models.CharField("名称", max_length=30)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "指摘の細区分"
        verbose_name_plural = "指摘の細区分"
        ordering = ["kind__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="subclass_name_unique_in_kind"),
            models.CheckConstraint(condition=~Q(name=""), name="subclass_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mark(self) -> str:
        """ "【是正】", as printed beside the finding."""
        return f"【{self.name}】"


# .status-badge--<modifier> for the default vocabulary; another authority's statuses fall
# back by whether they close a finding.
BADGE_BY_CODE = {"sochizumi": "closed", "keizoku": "ongoing", "kentou": "reviewing"}


def badge_for(code: str, is_closed: bool) -> str:
    return BADGE_BY_CODE.get(code) or ("closed" if is_closed else "reviewing")


@dataclass(frozen=True)
class StatusSnapshot:
    """Where a finding stands: the status of its latest entry, or 未報告."""

    name: str
    date: datetime.date | None
    is_closed: bool
    status_id: int | None
    code: str = ""

    @property
    def is_reported(self) -> bool:
        return self.status_id is not None

    @property
    def badge(self) -> str:
        """The .status-badge modifier that colours this status."""
        return badge_for(self.code, self.is_closed) if self.is_reported else "unreported"


UNREPORTED = StatusSnapshot(UNREPORTED_LABEL, None, False, None, "unreported")


def annotated_status(values: Mapping[str, Any]) -> StatusSnapshot:
    """The status that FindingQuerySet.with_status() annotated (status_id_now, …), read
    from a finding's attributes or from a values() row alike."""
    if values["status_id_now"] is None:
        return UNREPORTED
    return StatusSnapshot(
        values["status_name_now"],
        values["status_date_now"],
        bool(values["status_closed_now"]),
        values["status_id_now"],
        values.get("status_code_now") or "",
    )


def label_path_of(labels: list[str], viewpoint: Viewpoint | None) -> str:
    """A finding's full printed number from its label and its parents' (the finding's
    first) and the viewpoint of the topmost: "(3)①", "(5)③ア", "(1)"."""
    # Seed 000 numbers findings under their viewpoint ("(3)①"); an audit that groups
    # viewpoints under key risks numbers its findings on their own ("指摘事項1"), since
    # one finding may answer viewpoints of several risks.
    parts = list(labels)
    if viewpoint is not None and viewpoint.key_risk_id is None:
        parts.append(viewpoint.number)
    return "".join(reversed(parts))


class StatusBasis(models.TextChoices):
    """Which reported entries a status (and a report) is built from. The published one
    counts only what the audit office accepted: a claimed 措置済 closes a finding once
    accepted. The working one adds what is submitted and not yet reviewed."""

    ACCEPTED = "accepted", "公表版（受理済みの報告のみ）"
    SUBMITTED = "submitted", "作業版（審査待ちの報告を含む）"


# remediation.models.ReviewDecision values; spelled here so findings need not import it.
ACCEPTED_DECISION = "accepted"
RETURNED_DECISION = "returned"


def counting_entries(
    entries: QuerySet[RemediationEntry], basis: str = StatusBasis.ACCEPTED
) -> QuerySet[RemediationEntry]:
    """The entries that count under `basis`: never a returned one."""
    if basis == StatusBasis.SUBMITTED:
        return entries.exclude(review__decision=RETURNED_DECISION)
    return entries.filter(review__decision=ACCEPTED_DECISION)


def entry_counts(entry: RemediationEntry, basis: str = StatusBasis.ACCEPTED) -> bool:
    """counting_entries for one entry already loaded with its review."""
    review = getattr(entry, "review", None)
    decision = review.decision if review is not None else None
    if basis == StatusBasis.SUBMITTED:
        return decision != RETURNED_DECISION
    return decision == ACCEPTED_DECISION


def _latest_entries(as_of: datetime.date | None, basis: str) -> QuerySet[RemediationEntry]:
    from remediation.models import RemediationEntry

    entries = counting_entries(RemediationEntry.objects.filter(finding=OuterRef("pk")), basis)
    if as_of is not None:
        entries = entries.filter(entry_date__lte=as_of)
    return entries.order_by(*RemediationEntry.LATEST_FIRST)


class FindingQuerySet(models.QuerySet["Finding"]):
    def with_status(
        self, as_of: datetime.date | None = None, basis: str = StatusBasis.ACCEPTED
    ) -> FindingQuerySet:
        """Annotate the current status (or the status as of a date) in the same query,
        from the accepted entries (or, for a working report, every submitted one).

        The current published status is kept on the finding itself (latest_status,
        latest_status_date, is_closed, written by remediation.services), so the
        everyday case reads indexed columns. A status as of a date or on the working
        basis is computed: correlated subqueries over the (finding, entry_date) index.
        """
        if as_of is None and basis == StatusBasis.ACCEPTED:
            return self.annotate(
                status_id_now=F("latest_status_id"),
                status_name_now=F("latest_status__name"),
                status_date_now=F("latest_status_date"),
                status_closed_now=F("is_closed"),
                status_code_now=F("latest_status__code"),
            )
        return self.with_computed_status(as_of, basis)

    def with_computed_status(
        self, as_of: datetime.date | None = None, basis: str = StatusBasis.ACCEPTED
    ) -> FindingQuerySet:
        """with_status() computed from the entries. The kept columns must equal this for
        as_of=None on the accepted basis (remediation.status.verify checks it)."""
        latest = _latest_entries(as_of, basis)
        return self.annotate(
            status_id_now=Subquery(latest.values("status_id")[:1]),
            status_name_now=Subquery(latest.values("status__name")[:1]),
            status_date_now=Subquery(latest.values("entry_date")[:1]),
            status_closed_now=Subquery(latest.values("status__is_closed")[:1]),
            status_code_now=Subquery(latest.values("status__code")[:1]),
        )

    def counted(self) -> FindingQuerySet:
        """What every count counts (the one meaning of "how many"): findings that take
        entries themselves. A parent that only introduces its sub-items (意見 (5)③ before
        ア, イ) is not counted; its sub-items are."""
        return self.filter(~Exists(Finding.objects.filter(parent=OuterRef("pk"))))

    def _computed_status(self) -> bool:
        return isinstance(self.query.annotations.get("status_closed_now"), Subquery)

    def open(self) -> FindingQuerySet:
        """Findings not closed by an accepted 措置済 (未報告 included): today from the
        kept is_closed column, as of a date from with_status(as_of). Counted with
        counted(), this is "open" on every page, report and export."""
        if not self._computed_status():
            return self.filter(is_closed=False)
        # Q objects: the annotation is no model field, so django-stubs cannot check it.
        return self.filter(Q(status_closed_now=False) | Q(status_closed_now__isnull=True))

    def closed(self) -> FindingQuerySet:
        if not self._computed_status():
            return self.filter(is_closed=True)
        return self.filter(Q(status_closed_now=True))

    def in_print_order(self) -> FindingQuerySet:
        """As printed: by kind and section, each top-level finding followed by its
        sub-items (sort_order is relative among siblings)."""
        return self.order_by(
            "audit_id",
            "kind__sort_order",
            F("section__sort_order").asc(nulls_first=True),
            Coalesce(F("parent__sort_order"), F("sort_order")),
            Coalesce(F("parent_id"), F("id")),
            F("parent_id").asc(nulls_first=True),
            "sort_order",
            "id",
        )


class Finding(models.Model):
    """One 指摘 / 意見 … of an audit, addressed to one or more departments.

    Labels (①, ア, (1)) are the audit's own text. sort_order orders a finding among
    its siblings: top-level findings within (kind, section), sub-items within their
    parent. A sub-item (ア, イ) gets its own entries; its parent only introduces it.
    """

    audit = models.ForeignKey(
        Audit, verbose_name="監査", on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.ForeignKey(
        FindingKind, verbose_name="区分", on_delete=models.PROTECT, related_name="findings"
    )
    section = models.ForeignKey(
        Section,
        verbose_name="節",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    viewpoint = models.ForeignKey(
        Viewpoint,
        verbose_name="着眼点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="親項目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    label = models.CharField("番号", max_length=10, blank=True, help_text="例: ①、ア、(1)")
    sort_order = models.PositiveIntegerField("表示順", default=0)
    title = models.CharField("件名", max_length=200, blank=True)
    body = models.TextField("本文")
    departments = models.ManyToManyField(
        Department, verbose_name="担当所属", related_name="findings"
    )
    subclass = models.ForeignKey(
        FindingSubclass,
        verbose_name="細区分",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="是正・改善など（区分ごとに設定）",
    )
    extra_viewpoints = models.ManyToManyField(
        Viewpoint,
        verbose_name="ほかに答える着眼点",
        through="FindingViewpoint",
        blank=True,
        related_name="also_answered_by",
    )
    due_date = models.DateField("措置期限", null=True, blank=True)
    # Title, body, viewpoint and entry texts in findings.search.normalise form, kept by
    # the services that write them; the keyword filter searches it (pg_trgm on PostgreSQL).
    search_text = models.TextField("検索用テキスト", blank=True, default="", editable=False)
    # The current published status (read through current_status / with_status()): that of
    # the latest accepted entry (RemediationEntry.LATEST_FIRST), None for 未報告. Kept by remediation.services whenever a review is
    # recorded, so lists filter, sort and count by indexed columns instead of computing
    # it per row; `manage.py current_status --verify` compares it with the entries.
    latest_status = models.ForeignKey(
        "remediation.RemediationStatus",
        verbose_name="現在の状況",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    latest_status_date = models.DateField("現在の状況の日付", null=True, blank=True, editable=False)
    is_closed = models.BooleanField("完了", default=False, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="登録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "指摘事項"
        verbose_name_plural = "指摘事項"
        ordering = ["audit_id", "kind__sort_order", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="finding_not_own_parent"),
            models.CheckConstraint(condition=~Q(body=""), name="finding_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["audit", "kind", "section", "sort_order"]),
            models.Index(fields=["is_closed", "audit"], name="finding_closed_audit"),
            models.Index(fields=["latest_status_date"], name="finding_status_date"),
            # On PostgreSQL, migration 0009 adds the list's sorts with their NULLs order
            # (SQLite's indexes cannot say NULLS LAST).
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.label_path, self.title) if part) or self.body[:30]

    def clean(self) -> None:
        # Every service runs full_clean: no date outside the app's range is stored, and
        # no body longer than the form takes (a TextField has no limit of its own).
        check_model_dates(self)
        if len(self.body) > BODY_MAX_CHARS:
            raise ValidationError({"body": f"本文は{BODY_MAX_CHARS}文字以内で入力してください。"})

    @property
    def label_path(self) -> str:
        """The full printed number: "(3)①", "(5)③ア", "(1)"."""
        labels: list[str] = []
        node: Finding | None = self
        while node is not None:
            labels.append(node.label)
            if node.parent_id is None:
                break
            node = node.parent
        return label_path_of(labels, node.viewpoint if node is not None else None)

    @property
    def current_status(self) -> StatusSnapshot:
        """From the with_status() annotation when present, else from (prefetched) entries."""
        # with_status() annotations land in the instance's __dict__; django-stubs types
        # them only on the queryset's own result type, so read them from there.
        annotated = vars(self)
        if "status_id_now" in annotated:
            return annotated_status(annotated)
        latest = self.latest_entry()
        if latest is None:
            return UNREPORTED
        return StatusSnapshot(
            latest.status.name,
            latest.entry_date,
            latest.status.is_closed,
            latest.status_id,
            latest.status.code,
        )

    def latest_entry(self, as_of: datetime.date | None = None) -> RemediationEntry | None:
        from remediation.models import RemediationEntry

        entries = [
            e
            for e in self.entries.all()
            if (as_of is None or e.entry_date <= as_of) and entry_counts(e)
        ]
        if not entries:
            return None
        return max(entries, key=RemediationEntry.latest_key)

    @property
    def has_sub_items(self) -> bool:
        """Whether sub-items (ア, イ) hang under this finding, read from the has_children
        annotation that list pages add with Exists(). django-stubs types an annotation only
        on the annotating queryset's own rows and rejects a model attribute of the same
        name, hence the read from the instance's __dict__."""
        return bool(vars(self)["has_children"])

    @property
    def is_open(self) -> bool:
        return not self.current_status.is_closed

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.due_date is not None and self.is_open and self.due_date < timezone.localdate()


class FindingViewpoint(models.Model):
    """A further viewpoint a finding answers, after its first one (Finding.viewpoint, under
    which it prints). position orders them as the auditor set."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="viewpoint_links")
    viewpoint = models.ForeignKey(Viewpoint, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField("順序", default=0)

    class Meta:
        verbose_name = "指摘事項が答える着眼点"
        verbose_name_plural = "指摘事項が答える着眼点"
        ordering = ["finding", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "viewpoint"], name="finding_viewpoint_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.viewpoint_id}"


# --- counts kept for the dashboard at scale (findings.tallies) ---------------------------
# On PostgreSQL, triggers (migration 0008) append a row of +1/-1 to these as findings,
# their departments and their kept status change; elsewhere they stay empty and the
# counts are computed. No code writes them but findings.tallies, which sums them, folds
# the rows of one key together and rebuilds them after a bulk load.


class YearTally(models.Model):
    """Counted findings (those with no sub-items) per fiscal year of their audit, current
    status and due date."""

    fiscal_year = models.IntegerField()
    status_key = models.BigIntegerField()  # the kept status's id; 0 for 未報告
    due_date = models.DateField()  # NO_DUE_DATE for a finding without one
    n = models.IntegerField()  # a change: +1 or -1, or the sum of folded changes

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.status_key} {self.due_date}: {self.n}"


class DepartmentTally(models.Model):
    """Counted findings per department addressed (a finding counts once for each),
    current status and due date."""

    department_id = models.BigIntegerField()
    status_key = models.BigIntegerField()
    due_date = models.DateField()
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.department_id} {self.status_key} {self.due_date}: {self.n}"


class SubItemTally(models.Model):
    """How many sub-items a finding has: a finding stops being counted when its first
    sub-item arrives and is counted again when its last one leaves."""

    finding_id = models.BigIntegerField(primary_key=True)
    children = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.children}"
