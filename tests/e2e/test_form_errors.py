"""Errors found by everyone: after a failed submit the focus is on the error summary, and
the accessibility tree ties each error to its field (what a screen reader announces)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

REQUIRED = "このフィールドは必須です。"


def test_failed_form_focuses_the_summary_and_ties_each_error_to_its_field(
    page: Page, e2e_db, shots
) -> None:
    page.goto(f"{e2e_db.url}/accounts/login/")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    page.screenshot(path=shots / "summary.png", full_page=True)
    # The summary as the accessibility tree has it: an alert listing each error as a link.
    tree = summary.aria_snapshot()
    print(tree)
    assert "- alert" in tree
    assert re.search(rf'link "ユーザー名：{REQUIRED}"', tree)
    assert re.search(rf'link "パスワード：{REQUIRED}"', tree)

    for label in ("ユーザー名", "パスワード"):
        field = page.get_by_role("textbox", name=re.compile(f"^{label}"))
        # aria-invalid, and the message is the field's accessible description: the id
        # aria-describedby names is the element that holds the message.
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(REQUIRED)
        state = page.locator("form").aria_snapshot()
        assert re.search(rf'textbox "{label}[^"]*" \[invalid\]', state), state

    # A link in the summary takes the keyboard to its field.
    summary.get_by_role("link", name=re.compile("^パスワード")).click()
    expect(page.get_by_role("textbox", name=re.compile("^パスワード"))).to_be_focused()
