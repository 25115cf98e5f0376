"""What reminder digests were sent: one row per person per day at most.

The unique (user, day) key is what makes sending idempotent and race-safe: a digest is
recorded in the same transaction that sends it, and a second run the same day (or a
second worker at the same moment) fails to insert the row and sends nothing.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from audits.models import User


class DigestKind(models.TextChoices):
    DEPARTMENT = "department", "所管課あて（報告期限・差戻し）"
    OFFICE = "office", "監査事務局あて（審査待ち・期限超過）"


class DigestSent(models.Model):
    user = models.ForeignKey(
        User, verbose_name="宛先", on_delete=models.CASCADE, related_name="digests_sent"
    )
    day = models.DateField("対象日")
    kind = models.CharField("種類", max_length=20, choices=DigestKind.choices)
    summary = models.TextField("概要")
    address = models.EmailField("送信先アドレス")
    sent_at = models.DateTimeField("送信日時", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "送信した督促メール"
        verbose_name_plural = "送信した督促メール"
        ordering = ["-day", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.user}"
