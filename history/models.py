"""The audit log (操作記録): one append-only row per create, change or delete of a tracked
model, written by django-auditlog, with who, when, what changed (before → after) and
through which door (the app, Django admin or a command).

Our own LogEntry replaces the library's (AUDITLOG_LOGENTRY_MODEL) to add three things:
where the change came from (source), the finding it concerns (finding_id, so a finding's
timeline is one indexed query and survives the deletion of links and sub-rows), and
explicit lines (record_activity) for what the user did when no field says it. Rows are
never changed or removed: the model and its queryset refuse, and database triggers refuse
UPDATE, DELETE and TRUNCATE (migration 0002).
"""

from __future__ import annotations

from typing import Any, NoReturn

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from history.context import current_source


class LogIsAppendOnly(ValidationError):
    """Raised on any attempt to change or remove a log row."""


class Source(models.TextChoices):
    APP = "app", "画面"
    ADMIN = "admin", "管理サイト"
    # Anything outside a web request: management commands, the shell, scripts.
    COMMAND = "command", "コマンド"
    # Carried over from the old 操作記録 (audits.Activity), which did not record it.
    MIGRATED = "migrated", "旧操作記録から移行"


class Action(models.IntegerChoices):
    CREATE = AbstractLogEntry.Action.CREATE, "登録"
    UPDATE = AbstractLogEntry.Action.UPDATE, "変更"
    DELETE = AbstractLogEntry.Action.DELETE, "削除"
    ACCESS = AbstractLogEntry.Action.ACCESS, "閲覧"
    # An explicit line: what the user did, in words (record_activity).
    NOTE = 9, "操作"


def finding_id_of(instance: models.Model) -> int | None:
    """The finding a logged row belongs to: the finding itself, or a row that names one
    (finding_id: its entries, viewpoint links) or names an entry that does (entry: its
    evidence files, and reviews of entries)."""
    # Named by its label, not imported: the log sits below every app it records.
    if instance._meta.label_lower == "findings.finding":
        return instance.pk if isinstance(instance.pk, int) else None
    finding_id = getattr(instance, "finding_id", None)
    if isinstance(finding_id, int):
        return finding_id
    if getattr(instance, "entry_id", None) is not None:
        entry = getattr(instance, "entry", None)
        value = getattr(entry, "finding_id", None)
        return value if isinstance(value, int) else None
    return None


class AppendOnlyLogQuerySet(models.QuerySet["LogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise LogIsAppendOnly("操作記録は変更できません。")

    def delete(self) -> NoReturn:
        raise LogIsAppendOnly("操作記録は削除できません。")


class HistoryLogEntryManager(LogEntryManager.from_queryset(AppendOnlyLogQuerySet)):  # type: ignore[misc]
    """The library's manager, filling our two extra columns on every row it writes."""

    def log_create(self, instance: models.Model, force_log: bool = False, **kwargs: Any) -> Any:
        kwargs.setdefault("finding_id", finding_id_of(instance))
        kwargs.setdefault("source", current_source())
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(
        self,
        changed_queryset: Any,
        instance: models.Model,
        operation: str,
        field_name: str,
        **kwargs: Any,
    ) -> Any:
        kwargs.setdefault("finding_id", finding_id_of(instance))
        kwargs.setdefault("source", current_source())
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class LogEntry(AbstractLogEntry):  # type: ignore[misc]
    # The library's defaults would rewrite (SET_NULL) or remove (CASCADE) log rows when a
    # user or a content type goes; the log outlives both, so they are protected instead.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="対象の種類"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="実行者",
    )
    action = models.PositiveSmallIntegerField("操作", choices=Action.choices, db_index=True)
    source = models.CharField(
        "経路", max_length=10, choices=Source.choices, default=Source.COMMAND, db_index=True
    )
    finding_id = models.BigIntegerField("関係する指摘事項", null=True, blank=True, db_index=True)
    activity = models.CharField("操作の内容", max_length=100, blank=True)

    objects = HistoryLogEntryManager()

    class Meta:
        verbose_name = "操作記録"
        verbose_name_plural = "操作記録"
        # Related lookups and cascades use the base manager: it refuses delete() too.
        base_manager_name = "objects"
        get_latest_by = "timestamp"
        ordering = ["-timestamp", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LogIsAppendOnly("操作記録は変更できません。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise LogIsAppendOnly("操作記録は削除できません。")


def record_activity(actor: Any, action: str, target: models.Model, summary: str = "") -> LogEntry:
    """An explicit line in the log: what `actor` did to `target`, in words ("措置を記録",
    "管理サイトでの変更を拒否"). Creating, changing and deleting tracked rows is logged by
    itself with every field before → after; call this for what no field change says."""
    entry: LogEntry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk),
        object_id=target.pk if isinstance(target.pk, int) else None,
        object_repr=str(target)[:1000],
        action=Action.NOTE,
        activity=action[:100],
        additional_data={"summary": summary[:300]} if summary else None,
        actor=actor,
        finding_id=finding_id_of(target),
        source=current_source(),
    )
    return entry


def hide_value(value: str) -> str:
    """Mask for secrets (password hashes): the log shows that they changed, nothing more."""
    return value if value in ("", "None") else "（非表示）"
