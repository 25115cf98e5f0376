from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from audits.models import (
    Audit,
    AuditedSystem,
    AuditKind,
    Department,
    KeyRisk,
    Membership,
    Section,
    User,
    Viewpoint,
)
from history.models import record_activity

_M = TypeVar("_M", bound=Model)

REFUSED = "管理サイトでの変更を拒否"


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Domain data changes only through the app's pages and their services, where the
    rules live: here it can be looked at, never added, changed or deleted. A change or
    delete attempted anyway is refused with 403 and the attempt is written to the audit
    log (so it shows in a finding's timeline), outside the admin's own transaction."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def _refuse(self, request: HttpRequest, object_id: str | None) -> None:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None and request.user.is_authenticated:
            record_activity(request.user, REFUSED, obj, f"{request.method} {request.path}")
        raise PermissionDenied

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            self._refuse(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            self._refuse(request, object_id)
        return super().delete_view(request, object_id, extra_context)


class ReadOnlyInline(admin.TabularInline[_M, Audit]):
    """An audit's structure, shown under it and changed only through the app."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Audit | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Audit | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Audit | None = None) -> bool:
        return False


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


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin[Membership]):
    """Memberships change through 職員 and 人事異動 (organisation/), where their dates are
    kept consistent."""

    list_display = ["user", "department", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "department__name"]
    list_select_related = ["user", "department"]


@admin.register(AuditKind)
class AuditKindAdmin(ReadOnlyAdmin[AuditKind]):
    list_display = ["name", "sort_order"]


class SectionInline(ReadOnlyInline[Section]):
    model = Section
    extra = 0


class KeyRiskInline(ReadOnlyInline[KeyRisk]):
    model = KeyRisk
    extra = 0


class ViewpointInline(ReadOnlyInline[Viewpoint]):
    model = Viewpoint
    extra = 0


class AuditedSystemInline(ReadOnlyInline[AuditedSystem]):
    model = AuditedSystem
    extra = 0


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin[Audit]):
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
