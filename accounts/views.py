"""Signing in beyond the password: the second factor, the lockouts page for 管理者, and
the Japanese CSRF failure page.

Who may use each view is said on it. The second-factor pages are every signed-in user's
own (a user without a role may still have to pass the second factor to sign in at all);
the sign-in administration pages (lockouts, resetting someone's second factor) are for
管理者 only and answer 404 to everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import lockouts, mfa, security_log
from accounts.forms import CodeForm, ResetSecondFactorForm, UnlockForm, VerifyForm
from accounts.services import (
    SecondFactorError,
    confirm_app_device,
    lift_lock,
    remove_second_factor,
    renew_recovery_codes,
)
from audits.http import AuthenticatedHttpRequest
from audits.roles import Role, role_of


def administrators_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outermost on every 管理者 view: anyone else gets the 404 of a missing page,
    whatever the method."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if role_of(request.user) != Role.ADMINISTRATOR:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


# --- the second factor: any signed-in user, for themselves ---------------------------------


@require_GET
def mfa_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user: whether they have a second factor, and what they can do."""
    user = request.user
    return render(
        request,
        "accounts/mfa_settings.html",
        {
            "enabled": mfa.mfa_enabled(),
            "required": mfa.mfa_required(user),
            "device": mfa.app_device(user),
            "codes_left": mfa.recovery_codes_left(user),
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user: register an authenticator app. Someone who already has one
    must have passed it in this session first (else a stolen password would be enough
    to register the thief's phone)."""
    user = request.user
    if mfa.has_second_factor(user) and not mfa.is_verified(user):
        return redirect(f"{reverse('mfa_verify')}?next={reverse('mfa_setup')}")
    device = mfa.pending_app_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = confirm_app_device(user, device, form.cleaned_data["code"])
        except SecondFactorError as error:
            form.add_error("code", str(error))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "new_setup": True},
            )
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.qr_code_svg(device),
            "secret": mfa.secret_text(device),
            "replacing": mfa.has_second_factor(user),
            "next": _next_url(request),
        },
    )


@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user with a second factor: pass it for this session."""
    user = request.user
    app = mfa.app_device(user)
    if app is None:
        return redirect("mfa_setup")
    if mfa.is_verified(user):
        return redirect(_next_url(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = None
        if mfa.TOTP_CODE.match(code):
            device = verify_token(user, app.persistent_id, code)
        else:
            recovery = mfa.recovery_device(user)
            if recovery is not None:
                device = verify_token(user, recovery.persistent_id, code)
        if device is None:
            security_log.second_factor_failed(user, request)
            form.add_error(
                "code",
                "確認コードが正しくないか、期限が切れています。"
                "続けて間違えると、しばらく入力できなくなります。",
            )
        else:
            otp_login(request, device)
            security_log.second_factor_passed(user, request)
            if isinstance(device, StaticDevice):
                left = mfa.recovery_codes_left(user)
                security_log.recovery_code_used(user, left)
                messages.warning(
                    request,
                    f"回復コードを使ってログインしました。残りは{left}件です。"
                    "必要に応じて二要素認証の設定画面で再発行してください。",
                )
            return redirect(_next_url(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user with a second factor: new recovery codes (the old stop working),
    shown on this response only."""
    user = request.user
    try:
        codes = renew_recovery_codes(user)
    except SecondFactorError as error:
        messages.error(request, str(error))
        return redirect("mfa_settings")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("mfa_settings"), "new_setup": False},
    )


@require_POST
def mfa_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any signed-in user whose role does not require a second factor: remove theirs."""
    user = request.user
    if mfa.mfa_required(user):
        return render(
            request,
            "403.html",
            {"exception": "あなたの役割では二要素認証を解除できません。"},
            status=403,
        )
    if mfa.has_second_factor(user):
        remove_second_factor(user, user)
        messages.success(request, "二要素認証を解除しました。")
    return redirect("mfa_settings")


# --- lockouts: 管理者 only --------------------------------------------------------------------


@administrators_only
@require_GET
def lockout_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理者: the login names and addresses with failed sign-ins, and which are locked."""
    return render(
        request,
        "accounts/lockout_list.html",
        {
            "accounts": lockouts.account_locks(),
            "addresses": lockouts.address_locks(),
            "limit": settings.AXES_FAILURE_LIMIT,
            "cooloff": settings.AXES_COOLOFF_TIME,
            "reset_form": ResetSecondFactorForm(),
        },
    )


@administrators_only
@require_POST
def lockout_unlock(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理者: lift the lock of one login name or one address."""
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "解除する対象が正しく指定されていません。")
        return redirect("lockout_list")
    username = form.cleaned_data["username"] or None
    address = form.cleaned_data["address"] or None
    lift_lock(request.user, username=username, address=address)
    messages.success(
        request,
        f"{'ログイン名「' + username + '」' if username else 'アドレス ' + str(address)}"
        " のログイン停止を解除しました。",
    )
    return redirect("lockout_list")


@administrators_only
@require_POST
def mfa_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    """管理者: remove another user's second factor (a lost phone and lost recovery codes);
    where it is required, they register a new app at their next sign-in."""
    form = ResetSecondFactorForm(request.POST)
    user = form.user() if form.is_valid() else None
    if user is None:
        messages.error(request, "そのログイン名の利用者は見つかりません。")
        return redirect("lockout_list")
    if not mfa.has_second_factor(user):
        messages.info(request, f"「{user.username}」は二要素認証を設定していません。")
        return redirect("lockout_list")
    remove_second_factor(request.user, user)
    messages.success(
        request,
        f"「{user.username}」の二要素認証をリセットしました。次のログインで認証アプリを登録し直します。",
    )
    return redirect("lockout_list")


# --- CSRF failure: anyone -----------------------------------------------------------------------


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Anyone: Django's CSRF refusal, said in Japanese (CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)
