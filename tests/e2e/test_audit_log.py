"""The audit log in the browser: a change in the app shows in the finding's timeline with
before → after; Django admin shows the finding read-only (nothing to save), and a change
posted there anyway is refused and shows in the same timeline; the auditor finds both on
the log page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.demo import load_demo
from findings.models import Finding
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import CSIRT_TITLE, shoot

pytestmark = pytest.mark.e2e

NEW_TITLE = "CSIRTの体制強化について（改）"


@pytest.fixture
def demo(e2e_db, settings, tmp_path):
    """The demo data on the live server (no evidence is uploaded here)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence", "base_url": None},
        },
    }
    load_demo()
    return e2e_db


def test_app_change_and_admin_refusal_show_in_the_finding_timeline(page: Page, demo, shots):
    finding = Finding.objects.get(title=CSIRT_TITLE)
    detail = f"{demo.url}{reverse('finding_detail', args=[finding.pk])}"

    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}{reverse('finding_edit', args=[finding.pk])}")
    page.get_by_label("件名").fill(NEW_TITLE)
    page.get_by_role("button", name="保存").first.click()
    page.goto(detail)
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    first = timeline.locator(".timeline__item").first
    expect(first).to_contain_text("指摘事項を変更")
    expect(first).to_contain_text("画面")
    expect(first).to_contain_text(f"{CSIRT_TITLE} → {NEW_TITLE}")
    shoot(page, shots, "01_timeline_after_app_change")

    page.context.clear_cookies()
    sign_in(page, demo.url, "admin", "admin-demo-2026")
    admin_url = f"{demo.url}{reverse('admin:findings_finding_change', args=[finding.pk])}"
    page.goto(admin_url)
    expect(page.locator("input[name=_save]")).to_have_count(0)  # read-only: nothing to save
    shoot(page, shots, "02_admin_read_only")
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(
        admin_url,
        form={"csrfmiddlewaretoken": csrf, "title": "管理サイトから", "body": "x"},
        headers={"Referer": admin_url},
    )
    assert response.status == 403

    page.goto(detail)
    first = page.locator("section[aria-labelledby=timeline-heading] .timeline__item").first
    expect(first).to_contain_text("管理サイトでの変更を拒否")
    expect(first).to_contain_text("管理サイト")
    shoot(page, shots, "03_timeline_with_admin_refusal")

    page.goto(f"{demo.url}{reverse('log_list')}?finding={finding.pk}")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("管理サイトでの変更を拒否")
    expect(rows.nth(1)).to_contain_text(NEW_TITLE)
    shoot(page, shots, "04_log_page")
