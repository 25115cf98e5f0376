from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audits.admin import ReadOnlyAdmin
from remediation.models import Evidence, RemediationEntry, RemediationStatus


@admin.register(RemediationStatus)
class RemediationStatusAdmin(ReadOnlyAdmin[RemediationStatus]):
    list_display = ["name", "code", "is_closed", "sort_order"]


class EvidenceInline(admin.TabularInline[Evidence, RemediationEntry]):
    model = Evidence
    extra = 0
    can_delete = False
    readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: RemediationEntry | None = None) -> bool:
        return False


@admin.register(RemediationEntry)
class RemediationEntryAdmin(ReadOnlyAdmin[RemediationEntry]):
    """Read-only: entries are append-only and are posted through the app's own pages."""

    list_display = [
        "id",
        "finding",
        "status",
        "entry_date",
        "author",
        "author_department",
        "recorded_at",
    ]
    list_filter = ["status", "entry_date", "author_department"]
    search_fields = ["content", "finding__title"]
    list_select_related = [
        "finding__viewpoint",
        "finding__parent__viewpoint",
        "status",
        "author",
        "author_department",
    ]
    date_hierarchy = "entry_date"
    inlines = [EvidenceInline]
