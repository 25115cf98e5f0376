from django.contrib import admin
from django.http import HttpRequest

from followup.models import ReportingRound


@admin.register(ReportingRound)
class ReportingRoundAdmin(admin.ModelAdmin[ReportingRound]):
    """Read-only: rounds are opened on the app's own page (followup.services.open_round)."""

    list_display = ["name", "audit", "fiscal_year", "base_date", "deadline", "opened_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
