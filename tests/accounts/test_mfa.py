"""The second factor: required for 監査担当, 管理職, 管理者 and staff users when MFA is on,
optional for 所管課担当 unless the authority's setting requires it, and off for the demo."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security_log
from history.models import LogEntry
from tests.accounts.conftest import ADMIN_LOGIN, current_code, enrolled, sign_in
from tests.conftest import PASSWORD
from tests.html_checks import inline_code

pytestmark = pytest.mark.django_db

SETUP = "/accounts/mfa/setup/"
VERIFY = "/accounts/mfa/verify/"


def _signed_in(client: Client, user) -> Client:
    response = sign_in(client, user, PASSWORD)
    assert response.status_code == 302
    return client


# --- who must have it ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditor", "manager", "administrator"])
def test_roles_that_see_everything_must_set_up_a_second_factor(client, mfa_on, who, request):
    user = request.getfixturevalue(who)
    _signed_in(client, user)

    response = client.get("/audits/")

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_staff_users_must_set_it_up_whatever_their_role(client, mfa_on, ict_staff):
    ict_staff.is_staff = True
    ict_staff.save()
    _signed_in(client, ict_staff)
    assert client.get("/findings/")["Location"].startswith(SETUP)


def test_department_staff_need_not_by_default(client, mfa_on, ict_staff):
    _signed_in(client, ict_staff)
    assert client.get("/findings/").status_code == 200


def test_department_staff_must_when_the_authority_says_so(client, mfa_on, ict_staff):
    mfa_on.MFA_REQUIRED_FOR_DEPARTMENT_STAFF = True
    _signed_in(client, ict_staff)
    assert client.get("/findings/")["Location"].startswith(SETUP)


def test_with_mfa_off_an_auditor_works_with_the_password_alone(client, auditor, settings):
    settings.MFA_REQUIRED = False
    _signed_in(client, auditor)
    assert client.get("/audits/").status_code == 200


def test_the_gate_covers_the_admin_site(client, mfa_on, administrator):
    administrator.is_staff = True
    administrator.save()
    response = sign_in(client, administrator, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 302

    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_htmx_requests_are_sent_to_the_second_factor_as_a_whole_page(client, mfa_on, auditor):
    _signed_in(client, auditor)
    response = client.get("/findings/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(SETUP)


# --- setting it up ---------------------------------------------------------------------------


def test_pages_of_the_pending_second_factor_show_no_menu(client, mfa_on, auditor):
    _signed_in(client, auditor)
    body = client.get(SETUP).content.decode()
    assert "メインメニュー" not in body
    assert "ログアウト" in body


def test_setup_page_shows_a_server_drawn_qr_code_and_the_secret(client, mfa_on, auditor):
    _signed_in(client, auditor)

    response = client.get(SETUP)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "<path" in body
    assert "http://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    from accounts.mfa import secret_text

    assert secret_text(device) in body
    assert not inline_code(body)
    # A reload shows the same secret: the code of the first scan keeps working.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


def test_setup_with_the_apps_code_confirms_it_and_shows_recovery_codes_once(
    client, mfa_on, auditor
):
    _signed_in(client, auditor)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=auditor)

    response = client.post(SETUP, {"code": current_code(device)})

    body = response.content.decode()
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", body)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    # Verified for this session: work goes on; the codes are never shown again.
    assert client.get("/audits/").status_code == 200
    settings_page = client.get("/accounts/mfa/").content.decode()
    assert codes[0] not in settings_page
    assert "残り 10 件" in settings_page
    assert LogEntry.objects.filter(
        activity=security_log.SECOND_FACTOR_ENROLLED, object_id=auditor.pk
    ).exists()


@pytest.mark.parametrize("code", ["000000", "", "12", "x" * 10_000, "\x00", "１２３４５６"])
def test_setup_refuses_a_wrong_or_malformed_code_with_a_message(client, mfa_on, auditor, code):
    _signed_in(client, auditor)
    client.get(SETUP)

    response = client.post(SETUP, {"code": code})

    assert response.status_code == 200
    assert 'class="field__error"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=auditor, confirmed=True).exists()


def test_a_password_alone_cannot_replace_a_registered_app(client, mfa_on, auditor):
    """A thief with the password must not register their own phone."""
    enrolled(auditor)
    _signed_in(client, auditor)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=auditor).count() == 1


# --- signing in with it --------------------------------------------------------------------


def test_a_user_with_an_app_is_asked_for_the_code_after_the_password(client, mfa_on, auditor):
    device = enrolled(auditor)
    _signed_in(client, auditor)
    response = client.get("/audits/")
    assert response["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": current_code(device), "next": "/audits/"})

    assert response.status_code == 302
    assert response["Location"] == "/audits/"
    assert client.get("/audits/").status_code == 200
    assert LogEntry.objects.filter(activity=security_log.SECOND_FACTOR_PASSED).exists()


def test_a_wrong_code_is_refused_and_logged(client, mfa_on, auditor):
    enrolled(auditor)
    _signed_in(client, auditor)

    response = client.post(VERIFY, {"code": "000000"})

    assert response.status_code == 200
    assert "確認コードが正しくない" in response.content.decode()
    assert client.get("/audits/").status_code == 302
    assert LogEntry.objects.filter(activity=security_log.SECOND_FACTOR_FAILED).exists()


@pytest.mark.parametrize("code", ["", "x" * 10_000, "\x00", "<script>", "１２３４５６"])
def test_malformed_codes_at_sign_in_get_a_message(client, mfa_on, auditor, code):
    enrolled(auditor)
    _signed_in(client, auditor)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert 'class="field__error"' in response.content.decode()


def test_a_recovery_code_works_once(client, mfa_on, auditor):
    enrolled(auditor)
    recovery = StaticDevice.objects.create(user=auditor, name="回復コード")
    recovery.token_set.create(token="abcd2345")
    _signed_in(client, auditor)

    response = client.post(VERIFY, {"code": "ABCD 2345"}, follow=True)

    assert "回復コードを使ってログインしました" in response.content.decode()
    assert client.get("/audits/").status_code == 200
    other = _signed_in(Client(), auditor)
    assert other.post(VERIFY, {"code": "abcd2345"}).status_code == 200  # refused: used
    assert LogEntry.objects.filter(activity=security_log.RECOVERY_CODE_USED).exists()


def test_the_next_parameter_cannot_send_the_user_off_site(client, mfa_on, auditor):
    device = enrolled(auditor)
    _signed_in(client, auditor)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_verify_page_without_an_app_sends_to_setup(client, mfa_on, auditor):
    _signed_in(client, auditor)
    assert client.get(VERIFY)["Location"].startswith(SETUP)


# --- changing it -------------------------------------------------------------------------------


def test_recovery_codes_can_be_renewed_and_the_old_ones_stop_working(client, mfa_on, auditor):
    device = enrolled(auditor)
    recovery = StaticDevice.objects.create(user=auditor, name="回復コード")
    recovery.token_set.create(token="oldcode1")
    _signed_in(client, auditor)
    client.post(VERIFY, {"code": current_code(device)})

    response = client.post("/accounts/mfa/recovery-codes/")

    assert response.status_code == 200
    assert not StaticToken.objects.filter(token="oldcode1").exists()
    assert StaticToken.objects.filter(device__user=auditor).count() == 10
    assert LogEntry.objects.filter(activity=security_log.RECOVERY_CODES_RENEWED).exists()


def test_an_auditor_cannot_remove_the_required_second_factor(client, mfa_on, auditor):
    device = enrolled(auditor)
    _signed_in(client, auditor)
    client.post(VERIFY, {"code": current_code(device)})

    response = client.post("/accounts/mfa/remove/")

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=auditor).exists()


def test_department_staff_can_set_up_and_remove_an_optional_second_factor(
    client, mfa_on, ict_staff
):
    _signed_in(client, ict_staff)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=ict_staff)
    client.post(SETUP, {"code": current_code(device)})
    assert TOTPDevice.objects.get(user=ict_staff).confirmed

    response = client.post("/accounts/mfa/remove/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=ict_staff).exists()
    assert LogEntry.objects.filter(activity=security_log.SECOND_FACTOR_REMOVED).exists()


def test_once_set_up_an_optional_second_factor_is_asked_at_every_sign_in(client, mfa_on, ict_staff):
    enrolled(ict_staff)
    _signed_in(client, ict_staff)
    assert client.get("/findings/")["Location"].startswith(VERIFY)


# --- a 管理者 resets a lost second factor ------------------------------------------------


def test_administrator_resets_a_users_second_factor(client, mfa_on, auditor, administrator):
    enrolled(auditor)
    StaticDevice.objects.create(user=auditor, name="回復コード").token_set.create(token="abcd2345")
    device = enrolled(administrator)
    _signed_in(client, administrator)
    client.post(VERIFY, {"code": current_code(device)})

    response = client.post("/accounts/mfa/reset/", {"username": "auditor"}, follow=True)

    assert "二要素認証をリセットしました" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=auditor).exists()
    assert not StaticDevice.objects.filter(user=auditor).exists()
    record = LogEntry.objects.get(activity=security_log.SECOND_FACTOR_REMOVED)
    assert record.actor == administrator and record.object_id == auditor.pk
    # The auditor registers a new app at the next sign-in.
    assert _signed_in(Client(), auditor).get("/audits/")["Location"].startswith(SETUP)


@pytest.mark.parametrize("payload", [{}, {"username": "nobody"}, {"username": "x" * 10_000}])
def test_resetting_an_unknown_user_gets_a_message(client, administrator, payload):
    client.force_login(administrator)
    response = client.post("/accounts/mfa/reset/", payload, follow=True)
    assert response.status_code == 200
    assert "見つかりません" in response.content.decode()


@pytest.mark.parametrize("who", ["manager", "auditor", "ict_staff"])
def test_only_administrators_reset_second_factors(client, who, request, administrator):
    enrolled(administrator)
    client.force_login(request.getfixturevalue(who))
    assert client.post("/accounts/mfa/reset/", {"username": "administrator"}).status_code == 404
    assert TOTPDevice.objects.filter(user=administrator).exists()


def test_second_factor_secrets_are_not_in_the_admin(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
