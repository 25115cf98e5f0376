"""The organisation over time: names a department had before a change, reorganisations
with their effective date (planned, then applied), the findings they moved, and the
人事異動 (personnel changes) waiting for their 発令日.

Department and User live in audits (everything else points at them); this app only
adds their history, so the report of 令和2年度 can print the names true at the time.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from audits.models import Department, User
from findings.models import Finding


class DepartmentName(models.Model):
    """A name (and 部局) a department had up to valid_to, inclusive. The current name is
    the department's own; a row is written at each rename or move."""

    department = models.ForeignKey(
        Department, verbose_name="所属", on_delete=models.PROTECT, related_name="past_names"
    )
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        Department,
        verbose_name="上位の部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField("開始日", null=True, blank=True)
    valid_to = models.DateField("終了日")

    class Meta:
        verbose_name = "所属の旧名称"
        verbose_name_plural = "所属の旧名称"
        ordering = ["department", "valid_to", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_to}まで）"


class ReorganisationKind(models.TextChoices):
    RENAME = "rename", "名称変更・移管"
    MERGE = "merge", "統合"
    SPLIT = "split", "分割"
    ABOLISH = "abolish", "廃止（後継へ引継ぎ）"


class ReorganisationState(models.TextChoices):
    PLANNED = "planned", "予定"
    APPLIED = "applied", "適用済"
    CANCELLED = "cancelled", "取消"


class Reorganisation(models.Model):
    """One change of the organisation, effective on a date.

    - rename: sources = [the department], new_name and/or new_parent;
    - merge: sources = the 課 merged, targets = [the one they become] (a source may be
      the target: it absorbs the others);
    - split: sources = [the 課 split], targets = the 課 that take over its work;
    - abolish: sources = [the 課], targets = [its successor].

    Planned until applied (by the page once the date has come, or by the daily
    `apply_scheduled_changes` command). Applying retires the sources that are not a
    target (successor = the first target) and moves their open findings.
    """

    kind = models.CharField("種類", max_length=10, choices=ReorganisationKind.choices)
    effective_date = models.DateField("発効日")
    sources = models.ManyToManyField(
        Department, verbose_name="対象の所属", related_name="reorganisations_as_source"
    )
    targets = models.ManyToManyField(
        Department,
        verbose_name="後継の所属",
        related_name="reorganisations_as_target",
        blank=True,
    )
    new_name = models.CharField("新しい名称", max_length=100, blank=True)
    new_parent = models.ForeignKey(
        Department,
        verbose_name="新しい上位の部局",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField("備考", max_length=200, blank=True)
    state = models.CharField(
        "状態",
        max_length=10,
        choices=ReorganisationState.choices,
        default=ReorganisationState.PLANNED,
    )
    created_by = models.ForeignKey(
        User, verbose_name="登録者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    applied_at = models.DateTimeField("適用日時", null=True, blank=True)

    class Meta:
        verbose_name = "組織改編"
        verbose_name_plural = "組織改編"
        ordering = ["-effective_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReorganisationKind.values), name="reorganisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReorganisationState.values),
                name="reorganisation_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_date} {self.get_kind_display()}"


class FindingTransfer(models.Model):
    """An open finding handed from one department to another on a date (by a
    reorganisation). Reports as of an earlier date undo it, so they print the
    department the finding was addressed to then."""

    finding = models.ForeignKey(
        Finding, verbose_name="指摘事項", on_delete=models.PROTECT, related_name="transfers"
    )
    from_department = models.ForeignKey(
        Department, verbose_name="移管元", on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        Department, verbose_name="移管先", on_delete=models.PROTECT, related_name="+"
    )
    effective_date = models.DateField("発効日")
    # False when the finding was already addressed to the successor as well: undoing
    # the transfer must then leave the successor on it.
    added_target = models.BooleanField("移管先を追加した", default=True)
    reorganisation = models.ForeignKey(
        Reorganisation,
        verbose_name="組織改編",
        on_delete=models.PROTECT,
        related_name="transfers",
    )

    class Meta:
        verbose_name = "指摘事項の移管"
        verbose_name_plural = "指摘事項の移管"
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.from_department_id} → {self.to_department_id}"


class PersonnelChange(models.Model):
    """One line of a 人事異動 as applied: the person's new department and role from the
    発令日, or their leaving (disabled, never deleted). Memberships are dated, so access
    follows on the day itself; the role and the account's state are set by the daily
    `apply_scheduled_changes` (or at once when the 発令日 has come)."""

    user = models.ForeignKey(
        User, verbose_name="職員", on_delete=models.PROTECT, related_name="personnel_changes"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="新所属",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField("役割", max_length=20, blank=True)
    leaves = models.BooleanField("退職・転出", default=False)
    effective_date = models.DateField("発令日")
    batch = models.CharField("取込み", max_length=40)
    created_by = models.ForeignKey(
        User, verbose_name="登録者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    applied_at = models.DateTimeField("適用日時", null=True, blank=True)

    class Meta:
        verbose_name = "人事異動"
        verbose_name_plural = "人事異動"
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.effective_date} {self.user}"
