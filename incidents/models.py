"""The security incident register (セキュリティ障害, seed 003 資料3).

An incident is what a department reported: when it happened (a month or a range of
months), which 課 is responsible, its kind (種別, a vocabulary kept as data), how many
records it touched, which of 機密性 / 完全性 / 可用性 it harmed, what happened, why, and
how the city answered (記者発表, 市民対応).

Its 再発防止策 are ordinary findings (findings.Finding) so that they are followed to
done exactly like an audit's: each fiscal year of the register has one container audit
(RegisterYear.audit, kind セキュリティ障害), each incident one section of it
(Incident.section), and each measure is a finding in that section addressed to the
incident's 所管課. Remediation entries, statuses, the department's own list, reminders
and the 措置状況 report then work on them unchanged.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q

from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Audit, Department, Section, User
from audits.wareki import format_fiscal_year, format_wareki, format_wareki_month

# The names the container audit and its measures go by (also made by data migration 0002).
AUDIT_KIND_NAME = "セキュリティ障害"
MEASURE_KIND_CODE = "saihatsu"
MEASURE_KIND_NAME = "再発防止策"
REGISTER_THEME = "セキュリティ障害の再発防止策"

# The CIA classes: fixed by the standard (JIS Q 27000), so fields rather than data.
CLASSIFICATIONS: tuple[tuple[str, str], ...] = (
    ("confidentiality", "機密性"),
    ("integrity", "完全性"),
    ("availability", "可用性"),
)
CLASSIFICATION_LABELS = dict(CLASSIFICATIONS)


class IncidentType(models.Model):
    """種別: 誤送付, 機器の障害, プログラムミス … each authority keeps its own list."""

    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "障害の種別"
        verbose_name_plural = "障害の種別"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="incidenttype_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class RegisterYear(models.Model):
    """One fiscal year of the register and the audit whose findings are its measures."""

    fiscal_year = models.PositiveIntegerField("年度", unique=True)
    audit = models.OneToOneField(
        Audit, verbose_name="再発防止策を追跡する監査", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "セキュリティ障害の年度"
        verbose_name_plural = "セキュリティ障害の年度"
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return format_fiscal_year(self.fiscal_year)


def month_text(start: datetime.date, end: datetime.date | None = None) -> str:
    """ "平成26年8月", or a range "平成26年12月～平成27年5月" as the seed prints it."""
    text = format_wareki_month(start)
    if end is not None and (end.year, end.month) != (start.year, start.month):
        text += "～" + format_wareki_month(end)
    return text


class Incident(models.Model):
    fiscal_year = models.PositiveIntegerField("年度", help_text="報告日の年度（自動）")
    number = models.PositiveIntegerField("番号", help_text="年度ごとの通し番号（自動）")
    title = models.CharField("件名", max_length=100)
    reported_on = models.DateField("報告日")
    occurred_from = models.DateField("発生年月", help_text="月の初日で保存します")
    occurred_to = models.DateField("発生年月（終わり）", null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所管課", on_delete=models.PROTECT, related_name="incidents"
    )
    incident_type = models.ForeignKey(
        IncidentType, verbose_name="種別", on_delete=models.PROTECT, related_name="incidents"
    )
    record_count = models.PositiveIntegerField("データ件数", null=True, blank=True)
    record_unit = models.CharField("件数の単位", max_length=20, blank=True, default="件")
    confidentiality = models.BooleanField("機密性", default=False)
    integrity = models.BooleanField("完全性", default=False)
    availability = models.BooleanField("可用性", default=False)
    summary = models.TextField("概要")
    note = models.TextField("補足説明（※）", blank=True)
    cause = models.TextField("主な原因")
    press_release_on = models.DateField("記者発表", null=True, blank=True)
    citizen_response = models.TextField("市民対応", blank=True)
    section = models.OneToOneField(
        Section,
        verbose_name="再発防止策の節",
        on_delete=models.PROTECT,
        related_name="incident",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name="登録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "セキュリティ障害"
        verbose_name_plural = "セキュリティ障害"
        ordering = ["fiscal_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="incident_number_unique_in_year"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR, fiscal_year__lte=MAX_FISCAL_YEAR),
                name="incident_fiscal_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True) | Q(occurred_to__gt=F("occurred_from")),
                name="incident_occurred_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(confidentiality=True) | Q(integrity=True) | Q(availability=True),
                name="incident_has_a_classification",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="incident_title_not_empty"),
            models.CheckConstraint(condition=~Q(summary=""), name="incident_summary_not_empty"),
            models.CheckConstraint(condition=~Q(cause=""), name="incident_cause_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{format_fiscal_year(self.fiscal_year)}（{self.number}）{self.title}"

    @property
    def fiscal_year_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)

    @property
    def occurred_text(self) -> str:
        return month_text(self.occurred_from, self.occurred_to)

    @property
    def record_count_text(self) -> str:
        """ "2,352件", "785件(枚)"; empty when no count was given."""
        if self.record_count is None:
            return ""
        return f"{self.record_count:,}{self.record_unit}"

    @property
    def classification_codes(self) -> list[str]:
        return [code for code, _ in CLASSIFICATIONS if getattr(self, code)]

    @property
    def classification_text(self) -> str:
        """ "完全性", or "機密性・可用性" when several."""
        return "・".join(CLASSIFICATION_LABELS[c] for c in self.classification_codes)

    @property
    def press_release_text(self) -> str:
        return format_wareki(self.press_release_on) if self.press_release_on else ""

    @property
    def reported_text(self) -> str:
        return format_wareki(self.reported_on)
