"""和暦 date entry in a real browser (issue 14 item 1): a date typed as 令和3年9月30日,
R3.9.30 or ２０２１－０９－３０ into the finding form is stored as 2021-09-30, the line
under the field says what it understood before the form is sent, and a failed submit
puts focus on the error summary with each error tied to its field."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from findings.models import Finding
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

UNDERSTOOD = "令和3年9月30日（2021年9月30日）として登録します"


@pytest.fixture
def edit_url(e2e_db, finding) -> str:
    url: str = e2e_db.url + reverse("finding_edit", args=[finding.pk])
    return url


@pytest.mark.parametrize("typed", ["令和3年9月30日", "R3.9.30", "２０２１－０９－３０"])
def test_a_date_typed_in_any_spelling_is_understood_before_submit_and_stored(
    page: Page, e2e_db, auditor, finding, edit_url, shots, typed
) -> None:
    sign_in(page, e2e_db.url, auditor.username, PASSWORD)
    page.goto(edit_url)
    field = page.get_by_role("textbox", name=re.compile("^措置期限"))
    expect(field).to_have_attribute("type", "text")
    field.press_sequentially(typed)
    # The server's reading, shown while typing (aria-live), before anything is sent.
    understood = page.locator("#id_due_date_understood")
    expect(understood).to_have_text(UNDERSTOOD)
    expect(understood).to_have_attribute("aria-live", "polite")
    expect(field).to_have_accessible_description(re.compile(re.escape(UNDERSTOOD)))
    page.screenshot(path=shots / "understood.png")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state("networkidle")

    assert Finding.objects.get(pk=finding.pk).due_date == datetime.date(2021, 9, 30)
    # Shown back in 和暦 on the form.
    page.goto(edit_url)
    expect(page.get_by_role("textbox", name=re.compile("^措置期限"))).to_have_value(
        "令和3年9月30日"
    )


def test_a_failed_form_focuses_the_summary_that_links_each_error_to_its_field(
    page: Page, e2e_db, auditor, finding, edit_url, shots
) -> None:
    sign_in(page, e2e_db.url, auditor.username, PASSWORD)
    page.goto(edit_url)
    page.get_by_role("textbox", name=re.compile("^本文")).fill("")
    due = page.get_by_role("textbox", name=re.compile("^措置期限"))
    due.fill("令和3年2月30日")
    due.blur()
    # The impossible date is answered under the field before submit, too.
    expect(page.locator("#id_due_date_understood")).to_contain_text("実在する日付")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state("networkidle")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    page.screenshot(path=shots / "summary.png", full_page=True)
    tree = summary.aria_snapshot()
    assert "- alert" in tree, tree
    assert re.search(r'link "本文：本文を入力してください。"', tree), tree
    assert re.search(r'link "措置期限：[^"]*実在する日付[^"]*"', tree), tree

    form = page.locator("form").filter(has=page.get_by_role("button", name="保存する"))
    state = form.aria_snapshot()
    for label in ("本文", "措置期限"):
        field = page.get_by_role("textbox", name=re.compile(f"^{label}"))
        expect(field).to_have_attribute("aria-invalid", "true")
        assert re.search(rf'textbox "{label}[^"]*" \[invalid\]', state), state
    # Each field's description holds its own error (aria-describedby names real ids).
    expect(
        page.get_by_role("textbox", name=re.compile("^措置期限"))
    ).to_have_accessible_description(re.compile("実在する日付"))
    expect(page.get_by_role("textbox", name=re.compile("^本文"))).to_have_accessible_description(
        re.compile("本文を入力してください。")
    )
    # The summary's link takes the keyboard to the date field.
    summary.get_by_role("link", name=re.compile("^措置期限")).click()
    expect(page.get_by_role("textbox", name=re.compile("^措置期限"))).to_be_focused()
    assert Finding.objects.get(pk=finding.pk).due_date is None
