"""Password rules: at least 12 characters, not a common password, not like the user's
own name; the README's demo passwords pass."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _change(client, user, new: str):
    client.force_login(user)
    return client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Tokyo2026", "短すぎます"),
        ("abcdefghijk", "短すぎます"),
        ("password1234", "よく使われる"),
        ("123456789012", "数字"),
    ],
)
def test_weak_passwords_are_refused_with_a_japanese_reason(client, ict_staff, password, message):
    response = _change(client, ict_staff, password)

    assert response.status_code == 200
    assert message in response.content.decode()
    ict_staff.refresh_from_db()
    assert ict_staff.check_password(PASSWORD)


def test_a_password_like_the_login_name_is_refused(client, ict_staff):
    ict_staff.username = "suzuki-ichiro"
    ict_staff.save()
    response = _change(client, ict_staff, "suzuki-ichiro1")
    assert "似" in response.content.decode()


def test_a_long_uncommon_password_is_accepted(client, ict_staff):
    response = _change(client, ict_staff, "sochi-kanri-2026-hiru")
    assert response.status_code == 302


@pytest.mark.parametrize(
    "password",
    ["kansa-demo-2026", "ict-demo-2026", "jinji-demo-2026", "kanri-demo-2026", "admin-demo-2026"],
)
def test_the_readme_demo_passwords_meet_the_rules(password):
    try:
        validate_password(password)
    except ValidationError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{password}: {error.messages}")
