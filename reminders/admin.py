from django.contrib import admin
from django.http import HttpRequest

from reminders.models import DigestSent


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin[DigestSent]):
    """Read-only: the record of what was sent is written by reminders.services only."""

    list_display = ["day", "user", "kind", "summary", "address", "sent_at"]
    list_filter = ["kind", "day"]
    search_fields = ["user__username", "user__display_name", "summary"]
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
