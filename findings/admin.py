from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.http import HttpRequest

from audits.admin import ReadOnlyAdmin
from findings.models import Finding, FindingKind, FindingQuerySet


@admin.register(FindingKind)
class FindingKindAdmin(ReadOnlyAdmin[FindingKind]):
    list_display = ["name", "code", "heading", "sort_order"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin[Finding]):
    list_display = ["id", "audit", "kind", "section", "label_path", "title", "status_name"]
    list_filter = ["audit__fiscal_year", "kind", "audit", "departments"]
    search_fields = ["title", "body", "label"]
    list_select_related = ["audit", "kind", "section", "viewpoint", "parent__viewpoint"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["departments"]

    def get_queryset(self, request: HttpRequest) -> FindingQuerySet:
        # The default manager's queryset is a FindingQuerySet; the stubs only say QuerySet.
        return cast(FindingQuerySet, super().get_queryset(request)).with_status()

    @admin.display(description="番号")
    def label_path(self, obj: Finding) -> str:
        return obj.label_path

    @admin.display(description="現在の状況")
    def status_name(self, obj: Finding) -> str:
        return obj.current_status.name
