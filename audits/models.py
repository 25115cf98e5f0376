"""Departments, users and audits with their sections, key risks and viewpoints."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q

from audits.wareki import format_fiscal_year

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

    # Filled once per request by audits.roles.role_of and audits.access.department_scope.
    _role_cache: Role | None
    _department_scope_cache: set[int]

    class Meta(AbstractUser.Meta):
        verbose_name = "利用者"
        verbose_name_plural = "利用者"

    def __str__(self) -> str:
        return self.display_name or self.get_username()


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


class Audit(models.Model):
    fiscal_year = models.PositiveIntegerField(
        "年度", help_text="年度の始まる西暦年（令和2年度なら2020）"
    )
    kind = models.ForeignKey(AuditKind, verbose_name="監査の種類", on_delete=models.PROTECT)
    theme = models.CharField("監査のテーマ", max_length=200)
    audited_departments = models.ManyToManyField(
        Department, verbose_name="監査対象", related_name="audits_as_target"
    )
    period_start = models.DateField("監査実施期間（開始）")
    period_end = models.DateField("監査実施期間（終了）", null=True, blank=True)
    report_number = models.CharField("報告番号", max_length=50, blank=True)
    report_date = models.DateField("報告日", null=True, blank=True)
    auditors = models.ManyToManyField(
        User, verbose_name="監査担当者", blank=True, related_name="audits_as_auditor"
    )
    auditor_names = models.CharField(
        "監査人（外部）", max_length=200, blank=True, help_text="外部監査人など利用者でない監査人"
    )
    finding_kinds = models.ManyToManyField(
        "findings.FindingKind",
        verbose_name="報告に載せる区分",
        related_name="audits",
        help_text="措置状況報告に載せる区分（指摘・意見 …）。表示順は区分の表示順",
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
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR, fiscal_year__lte=MAX_FISCAL_YEAR),
                name="audit_fiscal_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="audit_period_end_not_before_start",
            ),
            models.CheckConstraint(condition=~Q(theme=""), name="audit_theme_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_label} {self.kind.name}「{self.theme}」"

    @property
    def fiscal_year_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)

    @property
    def period_dates(self) -> tuple[datetime.date, datetime.date | None]:
        return self.period_start, self.period_end


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
            models.UniqueConstraint(fields=["audit", "number"], name="viewpoint_number_unique"),
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


class Activity(models.Model):
    """Who did what, written by the service functions in the same transaction as the
    change itself. The seed of the full audit log."""

    at = models.DateTimeField("日時", auto_now_add=True)
    actor = models.ForeignKey(
        User,
        verbose_name="実行者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=50)
    target_type = models.CharField("対象の種類", max_length=50)
    target_id = models.PositiveBigIntegerField("対象のID")
    summary = models.CharField("内容", max_length=300, blank=True)

    class Meta:
        verbose_name = "操作記録"
        verbose_name_plural = "操作記録"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


def record_activity(
    actor: User | None, action: str, target: models.Model, summary: str = ""
) -> None:
    Activity.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        summary=summary[:300],
    )
