"""State changes of signing in: the second factor and lifting lockouts. Each takes the
acting user (never the request), runs in one transaction and records the event."""

from __future__ import annotations

from axes.utils import reset as reset_attempts
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security_log
from accounts.mfa import RECOVERY_DEVICE_NAME
from audits.models import User


class SecondFactorError(Exception):
    """A second-factor change that cannot be made; the message is for the user."""


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_app_device(user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a newly scanned authenticator app with a code it shows, replace any app
    registered before, and issue fresh recovery codes. The codes are returned for the
    caller to show now: no page shows them again."""
    if device.user_id != user.pk or device.confirmed:
        raise SecondFactorError("この登録は使えません。もう一度やり直してください。")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(code):
            raise SecondFactorError(
                "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        security_log.second_factor_enrolled(user)
    device.refresh_from_db()
    return codes


def renew_recovery_codes(user: User) -> list[str]:
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise SecondFactorError("先に認証アプリを登録してください。")
        codes = _new_recovery_codes(user)
        security_log.recovery_codes_renewed(user)
    return codes


def remove_second_factor(actor: User, user: User) -> None:
    """Remove the user's app and recovery codes. The caller decides who may."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        security_log.second_factor_removed(actor, user)


def lift_lock(actor: User, *, username: str | None = None, address: str | None = None) -> int:
    """Forget the failed sign-ins of one login name or one address, which ends its lock.
    Returns how many attempt records were removed."""
    if bool(username) == bool(address):
        raise ValueError("exactly one of username and address")
    with transaction.atomic():
        removed: int = reset_attempts(username=username) if username else reset_attempts(ip=address)
        security_log.lock_lifted(actor, username=username, address=address)
    return removed
