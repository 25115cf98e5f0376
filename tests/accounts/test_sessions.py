"""Sessions end after the idle timeout and after the absolute limit; signed-in pages are
never stored by the browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts import security_log
from accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from history.models import LogEntry
from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _age(client, *, signed_in_ago: datetime.timedelta, seen_ago: datetime.timedelta) -> None:
    session = client.session
    now = timezone.now()
    session[SIGNED_IN_AT] = (now - signed_in_ago).isoformat()
    session[LAST_SEEN_AT] = (now - seen_ago).isoformat()
    session.save()


def test_signing_in_starts_both_clocks(client, manager):
    sign_in(client, manager, PASSWORD)
    assert SIGNED_IN_AT in client.session and LAST_SEEN_AT in client.session


def test_idle_session_is_signed_out_with_a_message(client, manager):
    sign_in(client, manager, PASSWORD)
    _age(client, signed_in_ago=datetime.timedelta(hours=1), seen_ago=datetime.timedelta(minutes=31))

    response = client.get("/findings/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/findings/")
    assert "30分間操作がなかったため、ログアウトしました" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LogEntry.objects.filter(
        activity=security_log.SESSION_ENDED, object_id=manager.pk
    ).exists()


def test_activity_within_the_idle_timeout_keeps_the_session(client, manager):
    sign_in(client, manager, PASSWORD)
    _age(client, signed_in_ago=datetime.timedelta(hours=2), seen_ago=datetime.timedelta(minutes=29))

    assert client.get("/findings/").status_code == 200
    # The request counted as activity: the clock was reset.
    last_seen = datetime.datetime.fromisoformat(client.session[LAST_SEEN_AT])
    assert timezone.now() - last_seen < datetime.timedelta(minutes=1)


def test_idle_timeout_is_configurable(client, manager, settings):
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=5)
    sign_in(client, manager, PASSWORD)
    _age(
        client, signed_in_ago=datetime.timedelta(minutes=6), seen_ago=datetime.timedelta(minutes=6)
    )
    assert client.get("/findings/")["Location"].startswith("/accounts/login/")


def test_session_ends_after_the_absolute_limit_even_when_active(client, manager):
    sign_in(client, manager, PASSWORD)
    _age(
        client,
        signed_in_ago=datetime.timedelta(hours=12, minutes=1),
        seen_ago=datetime.timedelta(seconds=5),
    )

    response = client.get("/findings/", follow=True)

    assert "12時間が経過したため、ログアウトしました" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_of_an_expired_session_reloads_the_whole_page(client, manager):
    sign_in(client, manager, PASSWORD)
    _age(client, signed_in_ago=datetime.timedelta(hours=1), seen_ago=datetime.timedelta(hours=1))

    response = client.get("/findings/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


@pytest.mark.parametrize("value", ["garbage", 12, None])
def test_a_tampered_clock_value_restarts_the_clock_instead_of_failing(client, manager, value):
    sign_in(client, manager, PASSWORD)
    session = client.session
    session[LAST_SEEN_AT] = value
    session.save()
    assert client.get("/findings/").status_code == 200


def test_signed_in_pages_are_not_stored(client, manager):
    client.force_login(manager)
    response = client.get("/findings/")
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_for_anonymous_users_may_be_cached_by_nothing_private(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    # No session to protect; Django's login view already marks it never-cache.
    assert "no-store" in response.get("Cache-Control", "")


def test_the_session_cookie_ends_with_the_browser_and_the_absolute_limit(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
