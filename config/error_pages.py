"""The app's own 403 / 404 / 500 pages also with DEBUG on (the demo).

With DEBUG on Django answers a mistyped address with its English debug page, which
lists every URL pattern; a new user trying the demo should see the same Japanese page
with a way back as in production. DEBUG_PAGES=1 brings the debug pages back for a
developer. With DEBUG off Django's own handling already renders these templates, so
this middleware steps aside.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver, get_urlconf

logger = logging.getLogger("django.request")


def _app_pages(request: HttpRequest) -> bool:
    return bool(settings.DEBUG) and not getattr(settings, "DEBUG_PAGES", False)


def _handler(request: HttpRequest, status: int) -> Callable[..., HttpResponse]:
    urlconf = getattr(request, "urlconf", None) or get_urlconf()
    return get_resolver(urlconf).resolve_error_handler(status)


class AppErrorPagesMiddleware:
    """Last in MIDDLEWARE: sees the request after sessions, user and messages are set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _app_pages(request):
            urlconf = getattr(request, "urlconf", None) or get_urlconf()
            try:
                get_resolver(urlconf).resolve(request.path_info)
            except Resolver404 as error:
                return _handler(request, 404)(request, exception=error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _app_pages(request):
            return None
        if isinstance(exception, Http404):
            return _handler(request, 404)(request, exception=exception)
        if isinstance(exception, PermissionDenied):
            return _handler(request, 403)(request, exception=exception)
        # The developer still sees the traceback in the console.
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return _handler(request, 500)(request)
