from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from audits.models import (
    Activity,
    Audit,
    AuditedSystem,
    AuditKind,
    Department,
    KeyRisk,
    Section,
    User,
    Viewpoint,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["code", "name", "parent", "is_active", "successor", "sort_order"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "successor"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "department", "is_active", "is_staff"]
    list_filter = ["groups", "department", "is_active"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["department"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("所属", {"fields": ("display_name", "department")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("所属", {"fields": ("display_name", "department")}),
    )


@admin.register(AuditKind)
class AuditKindAdmin(admin.ModelAdmin[AuditKind]):
    list_display = ["name", "sort_order"]


class SectionInline(admin.TabularInline[Section, Audit]):
    model = Section
    extra = 0


class KeyRiskInline(admin.TabularInline[KeyRisk, Audit]):
    model = KeyRisk
    extra = 0


class ViewpointInline(admin.TabularInline[Viewpoint, Audit]):
    model = Viewpoint
    extra = 0


class AuditedSystemInline(admin.TabularInline[AuditedSystem, Audit]):
    model = AuditedSystem
    extra = 0


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin[Audit]):
    list_display = ["id", "fiscal_year_label", "kinds_label", "theme", "period_start", "period_end"]
    list_filter = ["fiscal_year", "kinds", "audited_departments"]
    search_fields = ["theme", "report_number"]
    filter_horizontal = ["audited_departments", "auditors"]
    inlines = [SectionInline, KeyRiskInline, ViewpointInline, AuditedSystemInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("kinds")

    @admin.display(description="年度", ordering="fiscal_year")
    def fiscal_year_label(self, obj: Audit) -> str:
        return obj.fiscal_year_label


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ["at", "actor", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["summary"]
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False
