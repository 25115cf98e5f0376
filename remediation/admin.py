from django.contrib import admin

from remediation.models import Evidence, RemediationEntry, RemediationStatus


@admin.register(RemediationStatus)
class RemediationStatusAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_closed", "sort_order"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    readonly_fields = ["original_name", "content_type", "size", "sha256", "uploaded_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RemediationEntry)
class RemediationEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
