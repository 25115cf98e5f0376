"""Departments, users and audits with their sections, key risks and viewpoints."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q

from audits.dates import check_model_dates
from audits.wareki import format_fiscal_year, format_wareki, format_wareki_month

if TYPE_CHECKING:
    from audits.roles import Role

MIN_FISCAL_YEAR = 1989
MAX_FISCAL_YEAR = 2200


class Department(models.Model):
    """A 部局 (no parent) or a 課 under one.

    Rows are never deleted once something points at them: at a reorganisation a
    department is renamed in place or retired (is_active off, successor set), so the
    findings and entries that name it keep their history.
    """

    name = models.CharField("名称", max_length=100)
    code = models.CharField("所属コード", max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位の部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("現存", default=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="統合・改編後の所属",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )

    class Meta:
        verbose_name = "所属"
        verbose_name_plural = "所属"
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="department_not_own_parent"),
            models.CheckConstraint(
                condition=~Q(successor=F("id")), name="department_not_own_successor"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="department_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """ "総務部 ICT戦略課" for a 課; the plain name for a 部局."""
        if self.parent is None:
            return self.name
        return f"{self.parent.name} {self.name}"


def departments_matching(text: str) -> list[Department]:
    """The departments a person means by `text`: an id, a 所属コード, a name
    ("ICT戦略課") or a full name ("総務部 ICT戦略課", spaces as typed or full-width).
    The first kind of match that finds anything wins, so a code is never taken for a
    name."""
    text = text.strip()
    rows = list(Department.objects.select_related("parent"))
    if text.isascii() and text.isdigit():
        by_id = [d for d in rows if d.pk == int(text)]
        if by_id:
            return by_id
    by_code = [d for d in rows if d.code == text]
    if by_code:
        return by_code
    wanted = " ".join(text.replace("\u3000", " ").split())
    return [d for d in rows if wanted in (d.name, d.full_name)]


class User(AbstractUser):
    """A person signing in. Their role comes from their group (see audits.roles)."""

    department = models.ForeignKey(
        Department,
        verbose_name="所属",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    display_name = models.CharField("氏名", max_length=100, blank=True)
    employee_number = models.CharField(
        "職員番号", max_length=20, blank=True, help_text="人事異動の一覧で職員を特定する番号"
    )

    # Filled once per request by audits.roles.role_of and audits.access.department_scope.
    _role_cache: Role | None
    _department_scope_cache: set[int]

    class Meta(AbstractUser.Meta):
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~Q(employee_number=""),
                name="user_employee_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, day: datetime.date | None = None) -> MembershipQuerySet:
        """The memberships in force on `day` (today when omitted)."""
        from django.utils import timezone

        day = day or timezone.localdate()
        return self.filter(
            Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )


class Membership(models.Model):
    """A user acting for a department in a role, from valid_from to valid_to (inclusive;
    open-ended when empty). A person may belong to several departments at once, and a
    人事異動 ends one membership the day before the next begins, so access follows the
    person from the 発令日 without anything running on that day."""

    user = models.ForeignKey(
        User, verbose_name="利用者", on_delete=models.PROTECT, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name="所属", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("役割", max_length=20)
    valid_from = models.DateField("開始日")
    valid_to = models.DateField("終了日", null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "所属の割当て"
        verbose_name_plural = "所属の割当て"
        ordering = ["user", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="membership_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.department} {self.role}"


class AuditKind(models.Model):
    """監査の種類 (行政監査, 財務監査, 情報セキュリティ監査 …): data, not code."""

    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "監査の種類"
        verbose_name_plural = "監査の種類"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class PeriodPrecision(models.TextChoices):
    DAY = "day", "日付"
    MONTH = "month", "月"


class ViewpointNumbering(models.TextChoices):
    THROUGH = "through", "監査全体の通し番号（(1), (2) …）"
    PER_KEY_RISK = "per_key_risk", "重要リスクごとに振り直す（ア, イ, ウ …）"


DEFAULT_ADDRESSEE_FORMAT = "【{所属}に対して】"


def audit_label(fiscal_year: int, kind_names: list[str], theme: str) -> str:
    """How an audit is named in lists and choices: 令和3年度 財務監査・行政監査「テーマ」
    (kind names in print order)."""
    return f"{format_fiscal_year(fiscal_year)} {'・'.join(kind_names)}「{theme}」"


class Audit(models.Model):
    fiscal_year = models.PositiveIntegerField(
        "年度", help_text="年度の始まる西暦年（令和2年度なら2020）"
    )
    kinds = models.ManyToManyField(
        AuditKind,
        verbose_name="監査の種類",
        related_name="audits",
        help_text="複数選ぶと「財務監査・行政監査」のように表示順でつなげて印刷します。",
    )
    theme = models.CharField("監査のテーマ", max_length=200)
    audited_departments = models.ManyToManyField(
        Department, verbose_name="監査対象", related_name="audits_as_target"
    )
    period_start = models.DateField("監査実施期間（開始）", null=True, blank=True)
    period_end = models.DateField("監査実施期間（終了）", null=True, blank=True)
    period_precision = models.CharField(
        "監査実施期間の表し方",
        max_length=10,
        choices=PeriodPrecision.choices,
        default=PeriodPrecision.DAY,
    )
    report_number = models.CharField("報告番号", max_length=50, blank=True)
    report_date = models.DateField("報告日", null=True, blank=True)
    report_date_precision = models.CharField(
        "報告日の表し方",
        max_length=10,
        choices=PeriodPrecision.choices,
        default=PeriodPrecision.DAY,
        help_text="「月」なら「平成29年1月」のように月までを印刷します（公表された報告書が月だけのとき）。",
    )
    signers = models.TextField(
        "署名する監査委員", blank=True, help_text="1行に1人（例: 監査委員　山田 太郎）"
    )
    notice_date = models.DateField("措置の通知日", null=True, blank=True)
    auditors = models.ManyToManyField(
        User, verbose_name="監査担当者", blank=True, related_name="audits_as_auditor"
    )
    auditor_names = models.TextField(
        "監査人", blank=True, help_text="1行に1人（外部監査人など。例: 西城技術士事務所 西城 秀雄）"
    )
    finding_kinds = models.ManyToManyField(
        "findings.FindingKind",
        verbose_name="報告に載せる区分",
        related_name="audits",
        help_text="措置状況報告に載せる区分（指摘・意見 …）。表示順は区分の表示順",
    )
    viewpoint_numbering = models.CharField(
        "着眼点の番号",
        max_length=20,
        choices=ViewpointNumbering.choices,
        default=ViewpointNumbering.THROUGH,
    )
    addressee_format = models.CharField(
        "あて先の書き方",
        max_length=100,
        default=DEFAULT_ADDRESSEE_FORMAT,
        help_text="監査対象が複数の所属のとき各指摘事項に印刷します。{所属}（部局と課）、"
        "{部局}、{課} が置き換わります。例: 【{部局}（{課}）に対して】",
    )
    # The audit report (監査報告書 / 概要版), printed before any 措置状況.
    report_title = models.CharField(
        "監査報告書の表題",
        max_length=200,
        blank=True,
        help_text="例: 荒川区情報セキュリティ監査報告書（概要版）",
    )
    purpose = models.TextField("監査目的", blank=True)
    method = models.TextField(
        "監査方法", blank=True, help_text="1行に1項目。番号は自動で付きます。"
    )
    standards_applied = models.TextField(
        "適用基準", blank=True, help_text="1行に1項目。番号（ア、イ …）は自動で付きます。"
    )
    standards_reference = models.TextField(
        "参考基準", blank=True, help_text="1行に1項目。番号（ア、イ …）は自動で付きます。"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="作成者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "監査"
        verbose_name_plural = "監査"
        ordering = ["-fiscal_year", "period_start", "id"]
        indexes = [
            # The audit list's and the dashboard's order, newest first: read a page of it
            # instead of sorting every audit (5 × 10⁴ of them in a shared service).
            models.Index(
                F("fiscal_year").desc(),
                F("period_start").desc(),
                F("id").desc(),
                name="audit_newest_first",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR, fiscal_year__lte=MAX_FISCAL_YEAR),
                name="audit_fiscal_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="audit_period_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_start__isnull=False),
                name="audit_period_end_needs_start",
            ),
            models.CheckConstraint(
                condition=Q(period_precision__in=PeriodPrecision.values),
                name="audit_period_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(report_date_precision__in=PeriodPrecision.values),
                name="audit_report_date_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(viewpoint_numbering__in=ViewpointNumbering.values),
                name="audit_viewpoint_numbering_valid",
            ),
            models.CheckConstraint(condition=~Q(theme=""), name="audit_theme_not_empty"),
        ]

    def __str__(self) -> str:
        return audit_label(self.fiscal_year, [k.name for k in self.kind_list], self.theme)

    def clean(self) -> None:
        # Every service runs full_clean: no date outside the app's range is stored.
        check_model_dates(self)

    @property
    def fiscal_year_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)

    @property
    def kind_list(self) -> list[AuditKind]:
        """The audit's kinds in print order (uses prefetch_related("kinds") when loaded)."""
        return sorted(self.kinds.all(), key=lambda k: (k.sort_order, k.pk))

    @property
    def kinds_label(self) -> str:
        """ "財務監査・行政監査": the kinds joined as the report header prints them."""
        return "・".join(k.name for k in self.kind_list)

    @property
    def period_dates(self) -> tuple[datetime.date | None, datetime.date | None]:
        return self.period_start, self.period_end

    @property
    def period_text(self) -> str:
        """For pages: "令和3年2月10日 ～ 令和3年2月12日" (reports pad it as tables do)."""
        return format_period(
            self.period_start, self.period_end, self.period_precision, padded=False
        )

    @property
    def report_date_text(self) -> str:
        """報告日 as printed: "平成29年1月26日", or "平成29年1月" when only the month is
        known; empty when the audit gives none."""
        if self.report_date is None:
            return ""
        if self.report_date_precision == PeriodPrecision.MONTH:
            return format_wareki_month(self.report_date)
        return format_wareki(self.report_date)

    @property
    def signer_lines(self) -> list[str]:
        return text_lines(self.signers)

    @property
    def auditor_lines(self) -> list[str]:
        return text_lines(self.auditor_names)

    def addressee_for(self, department: Department) -> str:
        """ "【市民局（施設担当）に対して】" for one department, by addressee_format."""
        parent = department.parent
        bureau = parent.name if parent is not None else department.name
        section = department.name if parent is not None else ""
        return (
            (self.addressee_format or DEFAULT_ADDRESSEE_FORMAT)
            .replace("{所属}", department.full_name)
            .replace("{部局}", bureau)
            .replace("{課}", section)
        )


def text_lines(text: str) -> list[str]:
    """The non-blank lines of a one-item-per-line text field, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def format_period(
    start: datetime.date | None,
    end: datetime.date | None,
    precision: str = PeriodPrecision.DAY,
    *,
    padded: bool = True,
) -> str:
    """監査実施期間 as printed: "令和 3年 2月10日", a range with "～", or months only
    ("令和5年6月～8月"); empty when the audit gives none."""
    from audits.wareki import format_wareki, format_wareki_month

    if start is None:
        return ""
    if precision == PeriodPrecision.MONTH:
        text = format_wareki_month(start)
        if end is not None and (end.year, end.month) != (start.year, start.month):
            same_year = end.year == start.year
            text += "～" + (f"{end.month}月" if same_year else format_wareki_month(end))
        return text
    text = format_wareki(start, padded=padded)
    if end is not None and end != start:
        text += f" ～ {format_wareki(end, padded=padded)}"
    return text


class Section(models.Model):
    """A numbered part of the audit's results, e.g. "1 想定されるリスク…監査の結果"."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField("番号", max_length=10)
    title = models.CharField("見出し", max_length=200)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "節"
        verbose_name_plural = "節"
        ordering = ["audit", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="section_number_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="section_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class KeyRisk(models.Model):
    """重要リスク: some audits group their viewpoints under key risks."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="key_risks")
    number = models.CharField("番号", max_length=10)
    title = models.CharField("重要リスク", max_length=300)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "重要リスク"
        verbose_name_plural = "重要リスク"
        ordering = ["audit", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="keyrisk_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Viewpoint(models.Model):
    """着眼点: a numbered audit question such as "(3) 情報システムのサーバ等の管理は…"."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="viewpoints")
    key_risk = models.ForeignKey(
        KeyRisk,
        verbose_name="重要リスク",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="viewpoints",
    )
    number = models.CharField("番号", max_length=10, help_text="例: (3)")
    text = models.TextField("着眼点")
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "着眼点"
        verbose_name_plural = "着眼点"
        ordering = ["audit", "sort_order", "id"]
        constraints = [
            # A label is unique within its parent: the key risk, or the audit for viewpoints
            # outside any key risk. Through-numbered audits are checked in the service.
            models.UniqueConstraint(
                fields=["key_risk", "number"],
                condition=Q(key_risk__isnull=False),
                name="viewpoint_number_unique_in_key_risk",
            ),
            models.UniqueConstraint(
                fields=["audit", "number"],
                condition=Q(key_risk__isnull=True),
                name="viewpoint_number_unique_in_audit",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="viewpoint_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text}"


class AuditedSystem(models.Model):
    """A system in the audit's scope (seed 001: 課 → システム)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="systems")
    department = models.ForeignKey(
        Department, verbose_name="所管課", on_delete=models.PROTECT, null=True, blank=True
    )
    name = models.CharField("システム名", max_length=200)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "監査対象システム"
        verbose_name_plural = "監査対象システム"
        ordering = ["audit", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ScheduleItem(models.Model):
    """監査実施日程: one dated step of the audit (date, 区分, 内容)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="schedule")
    date = models.DateField("実施日")
    category = models.CharField("区分", max_length=100)
    content = models.CharField("内容", max_length=300, blank=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "監査実施日程"
        verbose_name_plural = "監査実施日程"
        ordering = ["audit", "date", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(category=""), name="schedule_category_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.category}"

    def clean(self) -> None:
        # Every service runs full_clean: no date outside the app's range is stored.
        check_model_dates(self)


class OverallComment(models.Model):
    """総評: the auditor's overall opinion, in parts with their own sub-headings."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="overall_comments")
    heading = models.CharField("見出し", max_length=200, blank=True)
    body = models.TextField("本文")
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "総評"
        verbose_name_plural = "総評"
        ordering = ["audit", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="overall_comment_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.heading or self.body[:30]


class Commendation(models.Model):
    """推奨する点: a good practice the audit found. Nothing to remediate, so not a finding."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="commendations")
    text = models.TextField("推奨する点")
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "推奨する点"
        verbose_name_plural = "推奨する点"
        ordering = ["audit", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="commendation_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:30]
