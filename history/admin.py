"""The audit log in Django admin: looked at, never added, changed or deleted. The
library registers its own admin for the log model; ours replaces it with one that also
refuses deletion everywhere (the library's allows it as part of a cascade)."""

from __future__ import annotations

from typing import Any

from auditlog.admin import LogEntryAdmin as LibraryLogEntryAdmin
from django.contrib import admin
from django.http import HttpRequest

from history.models import LogEntry

if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(LibraryLogEntryAdmin):  # type: ignore[misc]
    list_display = ["created", "resource_url", "action", "source", "msg_short", "user_url"]
    list_filter = ["action", "source"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
