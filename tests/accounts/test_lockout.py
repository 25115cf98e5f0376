"""Repeated failed sign-ins lock the account and the address, on the app's and the
admin's sign-in, with a Japanese message; a 管理者 lifts the lock on an app page."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts import security_log
from history.models import LogEntry
from tests.accounts.conftest import ADMIN_LOGIN, LOGIN, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "ログインを一時停止しています"


@pytest.fixture
def limit(settings) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _fail(client: Client, user, times: int, address: str = "127.0.0.1", url: str = LOGIN):
    return [sign_in(client, user, "wrong-password-1", address, url) for _ in range(times)]


def test_wrong_passwords_below_the_limit_are_answered_with_the_form(client, manager, limit):
    responses = _fail(client, manager, limit - 1)
    assert all(r.status_code == 200 for r in responses)
    assert "正しいユーザー名とパスワードを入力してください" in responses[-1].content.decode()


def test_account_is_locked_after_the_limit_with_a_japanese_message(client, manager, limit):
    responses = _fail(client, manager, limit)

    assert responses[-1].status_code == 429
    body = responses[-1].content.decode()
    assert LOCKED_MESSAGE in body
    assert "管理者" in body
    assert 'lang="ja"' in body
    # The right password does not get in while locked.
    refused = sign_in(client, manager, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_thirty_wrong_passwords_lock_the_account_with_the_default_limit(client, manager):
    responses = _fail(client, manager, 30)
    assert responses[-1].status_code == 429
    assert sign_in(client, manager, PASSWORD).status_code == 429


def test_account_lock_holds_from_every_address(client, manager, limit):
    """Per account: failures spread over addresses still lock the login name."""
    for n in range(limit):
        sign_in(client, manager, "wrong-password-1", address=f"192.0.2.{n + 1}")

    assert sign_in(client, manager, PASSWORD, address="198.51.100.7").status_code == 429


def test_address_is_locked_after_failures_for_different_accounts(
    client, manager, auditor, ict_staff, limit
):
    """Per address: guessing one password for many login names locks the address."""
    for user in (manager, auditor, ict_staff):
        sign_in(client, user, "wrong-password-1", address="203.0.113.9")

    # Another user, right password, same address: refused; from elsewhere: fine.
    assert sign_in(client, ict_staff, PASSWORD, address="203.0.113.9").status_code == 429
    other = Client()
    assert sign_in(other, ict_staff, PASSWORD, address="203.0.113.10").status_code == 302


def test_unknown_login_names_count_against_the_address(client, manager, limit):
    for n in range(limit):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "x"}, REMOTE_ADDR="203.0.113.5")
    assert sign_in(client, manager, PASSWORD, address="203.0.113.5").status_code == 429


def test_admin_sign_in_is_locked_the_same_way(client, administrator, limit):
    administrator.is_staff = True
    administrator.save()
    responses = _fail(client, administrator, limit, url=ADMIN_LOGIN)

    assert responses[-1].status_code == 429
    assert LOCKED_MESSAGE in responses[-1].content.decode()
    # And the lock is shared with the app's sign-in.
    assert sign_in(client, administrator, PASSWORD).status_code == 429


def test_a_success_before_the_limit_clears_the_count(client, manager, limit):
    _fail(client, manager, limit - 1)
    assert sign_in(client, manager, PASSWORD).status_code == 302
    client.logout()
    _fail(client, manager, limit - 1)
    assert sign_in(client, manager, PASSWORD).status_code == 302


def test_lock_ends_by_itself_after_the_cool_off(client, manager, limit, settings):
    import datetime

    from django.utils import timezone

    _fail(client, manager, limit)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)

    assert sign_in(client, manager, PASSWORD).status_code == 302


def test_failures_and_the_lockout_are_in_the_activity_log(client, manager, limit):
    _fail(client, manager, limit + 2)

    failures = LogEntry.objects.filter(activity=security_log.SIGN_IN_FAILED, object_id=manager.pk)
    assert failures.count() == limit + 2
    first = failures.first()
    assert first is not None and "127.0.0.1" in first.object_repr
    # One lockout record at the moment the limit was reached, not one per later try.
    locks = LogEntry.objects.filter(activity=security_log.LOCKED_OUT, object_id=manager.pk)
    assert locks.count() == 1


def test_a_successful_sign_in_is_in_the_activity_log(client, manager):
    sign_in(client, manager, PASSWORD)
    assert LogEntry.objects.filter(activity=security_log.SIGNED_IN, actor=manager).exists()


def test_a_failure_for_an_unknown_name_is_logged_without_a_user(client, db):
    client.post(LOGIN, {"username": "nobody", "password": "x"})
    record = LogEntry.objects.get(activity=security_log.SIGN_IN_FAILED)
    assert record.object_id == security_log.NO_SUCH_USER
    assert "nobody" in record.object_repr


# --- the lockouts page ------------------------------------------------------------------


def test_administrator_sees_the_locked_account_and_address(client, manager, administrator, limit):
    _fail(client, manager, limit, address="192.0.2.44")
    admin_client = Client()
    admin_client.force_login(administrator)

    response = admin_client.get("/accounts/lockouts/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "manager" in body and "192.0.2.44" in body
    assert "停止中" in body


def test_administrator_lifts_an_account_lock(client, manager, administrator, limit):
    _fail(client, manager, limit)
    admin_client = Client()
    admin_client.force_login(administrator)

    response = admin_client.post("/accounts/lockouts/unlock/", {"username": "manager"}, follow=True)

    assert "ログイン停止を解除しました" in response.content.decode()
    assert sign_in(Client(), manager, PASSWORD).status_code == 302
    assert LogEntry.objects.filter(activity=security_log.LOCK_LIFTED, actor=administrator).exists()


def test_administrator_lifts_an_address_lock(
    client, manager, auditor, ict_staff, administrator, limit
):
    for user in (manager, auditor, ict_staff):
        sign_in(client, user, "wrong-password-1", address="203.0.113.9")
    admin_client = Client()
    admin_client.force_login(administrator)

    admin_client.post("/accounts/lockouts/unlock/", {"address": "203.0.113.9"})

    assert sign_in(Client(), ict_staff, PASSWORD, address="203.0.113.9").status_code == 302


@pytest.mark.parametrize("who", ["manager", "auditor", "ict_staff"])
def test_only_administrators_open_the_lockouts_page(client, who, request, limit):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get("/accounts/lockouts/").status_code == 404
    assert client.post("/accounts/lockouts/unlock/", {"username": "x"}).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": "a", "address": "192.0.2.1"},
        {"address": "not-an-address"},
        {"username": "x" * 10_000},
        {"address": "999.1.1.1"},
        {"username": "\x00"},
    ],
)
def test_malformed_unlock_requests_get_a_message_not_an_error(client, administrator, payload):
    client.force_login(administrator)
    response = client.post("/accounts/lockouts/unlock/", payload, follow=True)
    assert response.status_code == 200
    assert "解除する対象が正しく指定されていません" in response.content.decode()


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": "a" * 10_000, "password": "b"},
        {"username": "\x00", "password": "\x00"},
        {"username": "a", "password": "b" * 100_000},
    ],
)
def test_malformed_sign_in_posts_are_answered(client, db, url, payload):
    """A 10,000-character login name was a 500 on PostgreSQL (Axes stores 255)."""
    assert client.post(url, payload).status_code in (200, 429)
