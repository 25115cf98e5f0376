from django.contrib import admin

from findings.models import Finding, FindingKind


@admin.register(FindingKind)
class FindingKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "heading", "sort_order"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["id", "audit", "kind", "section", "label_path", "title", "status_name"]
    list_filter = ["audit__fiscal_year", "kind", "audit", "departments"]
    search_fields = ["title", "body", "label"]
    list_select_related = ["audit", "kind", "section", "viewpoint", "parent__viewpoint"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["departments"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).with_status()

    @admin.display(description="番号")
    def label_path(self, obj: Finding) -> str:
        return obj.label_path

    @admin.display(description="現在の状況")
    def status_name(self, obj: Finding) -> str:
        return obj.current_status.name
