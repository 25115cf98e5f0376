"""An auditor sets up the second factor in a real browser: the QR code is drawn, the
page obeys the CSP, and the code from the app completes the set-up."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.demo import load_demo
from tests.accounts.conftest import current_code
from tests.e2e.conftest import sign_in


@pytest.fixture
def demo(e2e_db, settings):
    settings.MFA_REQUIRED = True
    load_demo()
    return e2e_db


def test_auditor_sets_up_the_app_and_gets_recovery_codes(page, demo, shots):
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    assert "/accounts/mfa/setup/" in page.url
    assert page.get_by_role("heading", name="認証アプリの登録").is_visible()
    qr = page.locator(".qr-code svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] > 100
    page.screenshot(path=shots / "setup.png", full_page=True)

    device = TOTPDevice.objects.get(user__username="kansa")
    page.get_by_label("確認コード").fill(current_code(device))
    page.get_by_role("button", name="登録を完了する").click()

    assert page.get_by_role("heading", name="回復コード").is_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.screenshot(path=shots / "recovery-codes.png", full_page=True)
    page.get_by_role("link", name="保管しました。続ける").click()
    assert "/audits/" in page.url
