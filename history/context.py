"""Who is acting and where a write came from, for the log rows written meanwhile.

django-auditlog keeps the actor and extra values in a context variable while a context
is open: for each web request (HistoryMiddleware), and around a service called outside
one (acting_as). That is a logging context, read only when a log row is written and never
by a business rule (CONVENTIONS: no thread-local "current user" for rules). A write with
no context around it came from a management command, the shell or a script, and is
logged with source "command".
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from auditlog.context import auditlog_value, set_extra_data
from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

APP, ADMIN, COMMAND = "app", "admin", "command"

P = ParamSpec("P")
R = TypeVar("R")


def _context() -> dict[str, Any] | None:
    try:
        value = auditlog_value.get()
    except LookupError:
        return None
    return value if isinstance(value, dict) and value else None


def current_source() -> str:
    context = _context()
    return str(context.get("source") or COMMAND) if context else COMMAND


@contextlib.contextmanager
def _cleared_afterwards() -> Iterator[None]:
    """The library sets its context variable and leaves it set; put back what was there,
    so nothing of one request or command is read by whatever runs next in the thread."""
    token = auditlog_value.set({})
    try:
        yield
    finally:
        auditlog_value.reset(token)


@contextlib.contextmanager
def acting_as(user: Any, source: str = COMMAND) -> Iterator[None]:
    """Log what happens inside as done by `user`. Inside a web request the request's own
    context (its user, the app or admin) stays as it is."""
    if _context() is not None:
        yield
        return
    with _cleared_afterwards(), set_extra_data({"actor": user, "source": source}):
        yield


def logs_acting_user(service: Callable[P, R]) -> Callable[P, R]:
    """For a service taking the acting user as `user=`: the rows it writes name that user
    even when no web request is around it (a command, a test)."""

    @functools.wraps(service)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with acting_as(kwargs.get("user")):
            return service(*args, **kwargs)

    return wrapped


class HistoryMiddleware(AuditlogMiddleware):  # type: ignore[misc]
    """The library's middleware (actor and remote address of each request), plus whether
    the request went to Django admin or to the app's own pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def get_extra_data(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = super().get_extra_data(request)
        data["source"] = ADMIN if request.path.startswith(reverse("admin:index")) else APP
        return data

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with _cleared_afterwards():
            response: HttpResponse = super().__call__(request)
        return response
