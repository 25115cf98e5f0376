"""Dated remediation entries (措置) and their evidence. Both are append-only."""

from __future__ import annotations

import datetime
import os
import uuid
from pathlib import PurePosixPath
from typing import IO, Any, NoReturn, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from audits.dates import check_model_dates
from audits.models import Department, User
from findings.models import Finding

# The longest 措置の内容 an entry takes (forms and services alike).
CONTENT_MAX_CHARS = 4000


class AppendOnlyError(ValidationError):
    """Raised on any attempt to change or remove a posted entry or file."""


_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("記録済みの措置は変更できません。")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("記録済みの措置は削除できません。")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never updated or deleted. Database triggers refuse
    UPDATE (migration 0002), DELETE and TRUNCATE (0003) whatever the caller."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("記録済みの措置は変更できません。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("記録済みの措置は削除できません。")


class RemediationStatus(models.Model):
    """措置済 / 継続努力 / 検討中 by default; data, so another vocabulary fits."""

    code = models.SlugField("コード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    is_closed = models.BooleanField(
        "完了を表す", default=False, help_text="この状況になった指摘事項は完了（措置済）とみなす"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "措置状況"
        verbose_name_plural = "措置状況"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class RemediationEntry(AppendOnlyModel):
    """What a department reported about a finding, speaking for one date (措置日)."""

    # Latest first: by the date the entry speaks for, then by when it was recorded.
    LATEST_FIRST = ("-entry_date", "-recorded_at", "-id")

    finding = models.ForeignKey(
        Finding, verbose_name="指摘事項", on_delete=models.PROTECT, related_name="entries"
    )
    status = models.ForeignKey(
        RemediationStatus, verbose_name="状況", on_delete=models.PROTECT, related_name="entries"
    )
    entry_date = models.DateField("措置日")
    content = models.TextField("措置（具体的内容）・対応状況")
    author = models.ForeignKey(
        User,
        verbose_name="記録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remediation_entries",
    )
    author_department = models.ForeignKey(
        Department,
        verbose_name="記録者の所属",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remediation_entries",
    )
    recorded_at = models.DateTimeField("記録日時", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "措置"
        verbose_name_plural = "措置"
        # Related lookups and the admin use the base manager: it refuses delete() too.
        base_manager_name = "objects"
        ordering = ["finding_id", "entry_date", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(content=""), name="entry_content_not_empty"),
        ]
        indexes = [models.Index(fields=["finding", "entry_date", "recorded_at"])]

    def __str__(self) -> str:
        return f"【{self.status.name}】{self.entry_date:%Y-%m-%d}"

    def clean(self) -> None:
        # Every service runs full_clean: no date outside the app's range is stored, and
        # no text longer than the form takes (a TextField has no limit of its own).
        check_model_dates(self)
        if len(self.content) > CONTENT_MAX_CHARS:
            raise ValidationError(
                {"content": f"措置の内容は{CONTENT_MAX_CHARS}文字以内で入力してください。"}
            )

    @property
    def review_or_none(self) -> EntryReview | None:
        """The review of this entry, None while it waits (select_related("review"))."""
        try:
            return self.review
        except EntryReview.DoesNotExist:
            return None

    @staticmethod
    def latest_key(entry: RemediationEntry) -> tuple[datetime.date, datetime.datetime, int]:
        return entry.entry_date, entry.recorded_at, entry.pk or 0


@deconstructible(path="remediation.models.EvidenceStorage")
class EvidenceStorage(Storage):
    """Hands every call to storages["evidence"] as configured at that moment.

    FileField evaluates a storage (or storage callable) once, when the model class loads;
    this indirection lets the STORAGES setting (and tests, and a later move to object
    storage) decide where evidence lives without touching the model.
    """

    @property
    def _target(self) -> Storage:
        return storages["evidence"]

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        return self._target.open(name, mode)

    def _save(self, name: str, content: IO[Any]) -> str:
        return self._target.save(name, content)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self._target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self._target.generate_filename(filename)

    def path(self, name: str) -> str:
        return self._target.path(name)

    def delete(self, name: str) -> None:
        return self._target.delete(name)

    def exists(self, name: str) -> bool:
        return self._target.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self._target.listdir(path)

    def size(self, name: str) -> int:
        return self._target.size(name)

    def url(self, name: str | None) -> str:
        return self._target.url(name)


def evidence_storage() -> Storage:
    return EvidenceStorage()


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never comes from the user: no path tricks, no collisions.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = timezone.localdate()
    return f"{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(AppendOnlyModel):
    """A file attached to an entry, stored outside the web root."""

    entry = models.ForeignKey(
        RemediationEntry, verbose_name="措置", on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(
        "ファイル", storage=evidence_storage, upload_to=evidence_path, max_length=200
    )
    original_name = models.CharField("元のファイル名", max_length=200)
    content_type = models.CharField("種類", max_length=100)
    size = models.PositiveBigIntegerField("サイズ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("登録日時", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "証跡ファイル"
        verbose_name_plural = "証跡ファイル"
        base_manager_name = "objects"
        ordering = ["entry_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", "受理"
    RETURNED = "returned", "差戻し"


class EntryReview(AppendOnlyModel):
    """The audit office's one decision on a submitted entry: 受理 (it counts from now on:
    a claimed 措置済 closes the finding) or 差戻し with a reason the department sees.
    One per entry (the unique key makes a second review impossible even in a race);
    a returned entry stays in the history and the department answers with a new one."""

    entry = models.OneToOneField(
        RemediationEntry, verbose_name="措置", on_delete=models.PROTECT, related_name="review"
    )
    decision = models.CharField("審査結果", max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField("差戻しの理由", blank=True)
    reviewer = models.ForeignKey(
        User,
        verbose_name="審査者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry_reviews",
    )
    reviewed_at = models.DateTimeField("審査日時", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "措置の審査"
        verbose_name_plural = "措置の審査"
        base_manager_name = "objects"
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision=ReviewDecision.ACCEPTED) | ~Q(reason=""),
                name="review_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.entry_id}"
