from audits.demo import load_demo
from tests.e2e.conftest import sign_in


def test_login_page_is_japanese_and_signs_in(page, e2e_db, shots):
    load_demo()
    page.goto(f"{e2e_db.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", name="ログイン").is_visible()
    page.screenshot(path=shots / "login.png", full_page=True)

    page.get_by_label("ユーザー名").fill("kanri")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_text("正しいユーザー名とパスワードを入力してください").is_visible()

    sign_in(page, e2e_db.url, "kanri", "kanri-demo-2026")
    assert "/accounts/login/" not in page.url
    assert page.get_by_text("管理 三郎").first.is_visible()
