"""A report file made in the background (reports.jobs): who asked, what, how far."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models


def export_storage() -> Storage:
    return storages["exports"]


class ExportState(models.TextChoices):
    WAITING = "waiting", "待機中"
    RUNNING = "running", "作成中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗"


class ExportJob(models.Model):
    """One download asked for on the report page and made by the worker.

    `query` is the report form's query string as the user sent it (validated when
    asked, read again through ReportSelectionForm as the user when run), so the file
    holds exactly what that user may see at the time it is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField("形式", max_length=20)
    query = models.TextField("条件（クエリ文字列）", blank=True)
    selection_label = models.CharField("条件", max_length=500, blank=True)
    state = models.CharField(
        "状態", max_length=10, choices=ExportState.choices, default=ExportState.WAITING
    )
    done = models.PositiveIntegerField("作成済み件数", default=0)
    total = models.PositiveIntegerField("件数", default=0)
    file = models.FileField(storage=export_storage, upload_to="%Y/%m/", blank=True)
    filename = models.CharField("ファイル名", max_length=200, blank=True)
    error = models.TextField("失敗の理由", blank=True)
    created_at = models.DateTimeField("依頼日時", auto_now_add=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)
    expires_at = models.DateTimeField("保存期限", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_recent")]

    def __str__(self) -> str:
        return f"{self.filename or self.format} ({self.get_state_display()})"

    @property
    def format_label(self) -> str:
        from reports.render import FORMATS

        export = FORMATS.get(self.format)
        return export.label if export else self.format

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)
