"""Reporting rounds (措置状況の照会): the audit office asks every department addressed
for the status of its open findings as of a 基準日, by a deadline.

A round lists its findings when it opens (a snapshot: what was open then). An entry
answers the round when it is submitted after the round opened; what the department
owes and whether the office accepted it is read from the entries and their reviews
(followup.progress), never stored twice.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from audits.dates import check_model_dates
from audits.models import Audit, User
from audits.wareki import format_fiscal_year, format_wareki
from findings.models import Finding


class ReportingRound(models.Model):
    name = models.CharField("照会の名称", max_length=200)
    audit = models.ForeignKey(
        Audit,
        verbose_name="監査",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reporting_rounds",
        help_text="この監査の未完了の指摘事項を照会します。",
    )
    fiscal_year = models.PositiveIntegerField(
        "年度",
        null=True,
        blank=True,
        help_text="監査を選ばないときは、この年度の監査の未完了の指摘事項すべてを照会します。",
    )
    base_date = models.DateField("基準日", help_text="この日現在の状況を報告してもらいます。")
    deadline = models.DateField("報告期限")
    findings = models.ManyToManyField(
        Finding, verbose_name="照会する指摘事項", related_name="reporting_rounds"
    )
    opened_at = models.DateTimeField("照会日時", default=timezone.now, editable=False)
    opened_by = models.ForeignKey(
        User, verbose_name="照会者", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "措置状況の照会"
        verbose_name_plural = "措置状況の照会"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("base_date")), name="round_deadline_not_before_base"
            ),
            models.CheckConstraint(
                condition=Q(audit__isnull=False) | Q(fiscal_year__isnull=False),
                name="round_has_audit_or_fiscal_year",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="round_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Every service runs full_clean: no date outside the app's range is stored.
        check_model_dates(self)

    @property
    def scope_label(self) -> str:
        if self.audit_id is not None:
            return str(self.audit)
        return f"{format_fiscal_year(self.fiscal_year or 0)}の監査"

    @property
    def deadline_text(self) -> str:
        return format_wareki(self.deadline)

    @property
    def base_date_text(self) -> str:
        return format_wareki(self.base_date)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline
