"""Who needs a second factor, and the user's devices.

The second factor is a TOTP authenticator app (django-otp's totp plugin) with one-time
recovery codes (its static plugin) for a lost phone.
"""

from __future__ import annotations

import base64
import re

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django_otp.middleware import is_verified as otp_is_verified
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import User
from audits.roles import Role, role_of

# Roles that see every department's data or run the system: never without a second factor.
ALWAYS_REQUIRED = frozenset({Role.ADMINISTRATOR, Role.AUDITOR, Role.MANAGER, Role.AUDIT_COMMITTEE})

APP_DEVICE_NAME = "認証アプリ"
RECOVERY_DEVICE_NAME = "回復コード"

TOTP_CODE = re.compile(r"^\d{6}$")


def mfa_enabled() -> bool:
    return bool(settings.MFA_REQUIRED)


def mfa_required(user: User | AnonymousUser) -> bool:
    """Whether the user may not work without a second factor (when MFA is on at all)."""
    if not mfa_enabled() or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    role = role_of(user)
    if role in ALWAYS_REQUIRED:
        return True
    if role == Role.DEPARTMENT_STAFF:
        return bool(settings.MFA_REQUIRED_FOR_DEPARTMENT_STAFF)
    return False


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.devices_for_user(user, confirmed=True).exists())


def is_verified(user: User | AnonymousUser) -> bool:
    """Whether the user passed their second factor in this session (OTPMiddleware has
    loaded the device the session names)."""
    return bool(otp_is_verified(user))


def pending_app_device(user: User) -> TOTPDevice:
    """The not yet confirmed device whose secret the set-up page shows: the same one on
    every reload, so a code from the QR code scanned first keeps working."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of 4."""
    encoded = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def normalise_code(raw: str) -> str:
    """What a person may type: spaces and hyphens are ignored, letters case-insensitively."""
    return re.sub(r"[\s\-]", "", raw).lower()


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as an inline SVG QR code, drawn here: no image service,
    no data: URL, and nothing in it but paths (allowed by the page's CSP). A viewBox and
    no fixed size, so the stylesheet scales it whole."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        title="認証アプリ登録用のQRコード",
    )
