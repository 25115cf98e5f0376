"""Per-request rules of a signed-in session: the second factor, the idle and absolute
time limits, no caching of signed-in pages, and the Permissions-Policy header."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from accounts import security_log
from accounts.mfa import has_second_factor, is_verified, mfa_enabled, mfa_required

SIGNED_IN_AT = "accounts.signed_in_at"
LAST_SEEN_AT = "accounts.last_seen_at"
# The last-seen time is saved at most this often, not on every request (a session write).
LAST_SEEN_GRANULARITY = datetime.timedelta(seconds=60)

# Pages an unverified user may open: the second-factor pages themselves and signing out.
SECOND_FACTOR_EXEMPT = frozenset({"mfa_verify", "mfa_setup", "logout"})


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect the browser follows as a whole page, also from an htmx request (htmx
    would otherwise swap the target page into a fragment of the current one)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    """Come back to the page asked for (as Django's login redirect does), unless it was a
    POST or a fragment, which cannot be repeated by a GET."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        query = QueryDict(mutable=True)
        query["next"] = request.get_full_path()
        return f"{url}?{query.urlencode(safe='/')}"
    return url


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class NoStoreForSignedInMiddleware:
    """A signed-in page stays out of the browser's and any proxy's cache: on a shared PC
    the back button after signing out must not show it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        signed_in = signed_in or request.user.is_authenticated
        if signed_in and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response


class SessionLimitsMiddleware:
    """Signs the user out after SESSION_IDLE_TIMEOUT without a request, and after
    SESSION_ABSOLUTE_TIMEOUT since signing in, whatever happened in between."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            ended = self._check(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = timezone.now()
        session = request.session
        signed_in_at = _read_time(session.get(SIGNED_IN_AT))
        last_seen_at = _read_time(session.get(LAST_SEEN_AT))
        if signed_in_at is None or last_seen_at is None:
            session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now.isoformat()
            return None
        if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
            hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            return self._end(
                request, f"ログインから{hours}時間が経過したため、ログアウトしました。"
            )
        if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT:
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            return self._end(request, f"{minutes}分間操作がなかったため、ログアウトしました。")
        if now - last_seen_at >= LAST_SEEN_GRANULARITY:
            session[LAST_SEEN_AT] = now.isoformat()
        return None

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        security_log.session_ended(request.user, reason)  # type: ignore[arg-type]
        logout(request)
        messages.info(request, reason + "もう一度ログインしてください。")
        return _redirect(request, _with_next(reverse(settings.LOGIN_URL), request))


def stamp_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start both clocks when the user signs in (connected to user_logged_in, the one
    moment shared by the app's and the admin's sign-in)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = timezone.now().isoformat()


def _read_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


class SecondFactorMiddleware:
    """With MFA on, a signed-in user who needs a second factor (or has set one up) opens
    no page but the second-factor ones until they have passed it in this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not mfa_enabled() or not user.is_authenticated or is_verified(user):
            return None
        if has_second_factor(user):
            target = "mfa_verify"
        elif mfa_required(user):
            target = "mfa_setup"
        else:
            return None
        # The pages shown meanwhile leave out the menu: every link would lead back here.
        request.second_factor_pending = True  # type: ignore[attr-defined]
        match = request.resolver_match
        if match is not None and match.url_name in SECOND_FACTOR_EXEMPT:
            return None
        return _redirect(request, _with_next(reverse(target), request))
