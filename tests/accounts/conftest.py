from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import User

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True
    return settings


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return str(code).zfill(device.digits)


def sign_in(
    client: Client, user: User, password: str, address: str = "127.0.0.1", url: str = LOGIN
):
    return client.post(url, {"username": user.username, "password": password}, REMOTE_ADDR=address)


def enrolled(user: User) -> TOTPDevice:
    """A confirmed authenticator app for the user, as if they had set it up."""
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
