"""A 管理者 runs the organisation in the browser: creates a 課 and a user for it, merges
two 課 into it with an effective date and sees their open findings under the
successor; reads a 人事異動 file of 50 rows whose 3 bad rows are shown, then the
corrected file moves the people; a disabled user cannot sign in and their entries keep
their name.

Screenshots go to test-results/e2e/<test name>/ for a person to look at.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audits.demo import load_demo
from audits.models import Department, Membership, User
from audits.roles import Role
from organisation.demo import load_organisation_demo
from remediation.models import RemediationEntry
from tests.conftest import make_user
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import shoot

PASSWORD = "Suishin-Ichiro-2026"


@pytest.fixture
def demo(e2e_db):
    load_demo()
    load_organisation_demo()
    zaiseika = Department.objects.get(code="zaiseika")
    movers = [make_user(Role.DEPARTMENT_STAFF, zaiseika, f"idou{i:02}") for i in range(50)]
    return e2e_db, movers


def _transfer_csv(folder: Path, movers: list[User], bad: bool) -> Path:
    today = datetime.date.today().isoformat()
    lines = ["職員番号,ログインID,氏名,新所属,役割,発令日"]
    for i, person in enumerate(movers):
        target, day, login = "市民生活部 市民課", today, person.username
        if bad and i == 10:
            target = "存在しない課"
        if bad and i == 20:
            day = "令和7年2月30日"
        if bad and i == 30:
            login = "no_such_person"
        lines.append(f",{login},{person.display_name},{target},,{day}")
    path = folder / ("idou_bad.csv" if bad else "idou.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_administrator_runs_the_organisation(page: Page, demo, shots):
    server, movers = demo
    base = server.url
    sign_in(page, base, "admin", "admin-demo-2026")

    # A new 課 under 総務部.
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="組織").click()
    page.get_by_role("link", name="部局・課を追加").click()
    page.get_by_label("名称").fill("デジタル推進課")
    page.get_by_label("所属コード").fill("dx")
    page.get_by_label("上位の部局").select_option(label="総務部")
    page.get_by_role("button", name="追加する").click()
    expect(page.get_by_role("status").or_(page.locator(".banner"))).to_contain_text(
        "「総務部 デジタル推進課」を追加しました。"
    )
    shoot(page, shots, "01-tree")

    # A user for it, found with the picker's filter box.
    page.goto(f"{base}/org/people/new/")
    page.get_by_label("ログインID").fill("dx1")
    page.get_by_label("氏名").fill("推進 一郎")
    page.get_by_label("役割").select_option(label="所管課担当")
    page.get_by_label("所属を名前で絞り込む").fill("デジタル")
    picker = page.locator("#id_departments_group")
    expect(picker.get_by_label("人事課", exact=True)).to_be_hidden()
    picker.get_by_label("デジタル推進課", exact=True).check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="登録する").click()
    expect(page.locator(".banner")).to_contain_text("利用者「推進 一郎」を登録しました。")

    # Merge ICT戦略課 and 人事課 into it, effective today: preview, then apply.
    page.goto(f"{base}/org/reorganisations/new/")
    page.get_by_label("統合", exact=True).check()
    page.get_by_label("発効日").fill(datetime.date.today().isoformat())
    sources = page.locator("#id_sources_group")
    sources.get_by_label("ICT戦略課", exact=True).check()
    sources.get_by_label("人事課", exact=True).check()
    page.locator("#id_targets_group").get_by_label("デジタル推進課", exact=True).check()
    page.get_by_role("button", name="登録して内容を確認する").click()
    heading = page.get_by_role("heading", name="移る未完了の指摘事項")
    expect(heading).to_be_visible()
    moving = int(heading.inner_text().split("（")[1].split("件")[0])
    assert moving > 0
    shoot(page, shots, "02-preview")
    page.get_by_role("button", name="この内容で適用する").click()
    expect(page.locator(".banner")).to_contain_text("組織改編を適用しました。")

    # The successor lists their open findings (handover view).
    dx = Department.objects.get(code="dx")
    page.goto(f"{base}/org/departments/{dx.pk}/handover/")
    expect(page.get_by_role("heading", name=f"未完了の指摘事項（{moving}件）")).to_be_visible()
    expect(page.get_by_text("推進 一郎")).to_be_visible()
    shoot(page, shots, "03-handover")

    # 人事異動: 50 rows, 3 bad → every error shown, nothing applied.
    page.goto(f"{base}/org/transfers/")
    page.get_by_label("人事異動のファイル").set_input_files(_transfer_csv(shots, movers, True))
    page.get_by_role("button", name="読み込んで確認する").click()
    alert = page.locator(".banner--error")
    expect(alert).to_contain_text("3行に誤りがあります")
    expect(alert).to_contain_text("新所属「存在しない課」という所属はありません")
    expect(alert).to_contain_text("発令日「令和7年2月30日」を日付として読めません")
    expect(alert).to_contain_text("職員「no_such_person」が登録されていません")
    expect(page.get_by_role("button", name="件を登録する")).to_have_count(0)
    shoot(page, shots, "04-transfer-errors")
    shimin = Department.objects.get(code="shimin")
    assert not Membership.objects.filter(department=shimin, user__in=movers).exists()

    # The corrected file moves all 50 from today.
    page.get_by_label("人事異動のファイル").set_input_files(_transfer_csv(shots, movers, False))
    page.get_by_role("button", name="読み込んで確認する").click()
    page.get_by_role("button", name="この50件を登録する").click()
    expect(page.locator(".banner")).to_contain_text("人事異動 50件を登録しました。")
    assert Membership.objects.current().filter(department=shimin, user__in=movers).count() == 50

    # Disable the demo's ICT戦略課 member, who posted the seed audit's entries.
    ict_user = User.objects.get(username="ict")
    page.goto(f"{base}/org/people/{ict_user.pk}/edit/")
    page.get_by_role("button", name="アカウントを無効にする").click()
    expect(page.locator(".banner")).to_contain_text("無効にしました")
    page.get_by_role("button", name="ログアウト").click()
    sign_in(page, base, "ict", "ict-demo-2026")
    expect(page).to_have_url(f"{base}/accounts/login/")
    shoot(page, shots, "05-disabled-sign-in")

    # Their entries still carry their name.
    sign_in(page, base, "admin", "admin-demo-2026")
    entry = RemediationEntry.objects.filter(author=ict_user).first()
    assert entry is not None
    page.goto(f"{base}/findings/{entry.finding_id}/")
    expect(page.get_by_text("記録者: 情報 花子").first).to_be_visible()
    shoot(page, shots, "06-entry-keeps-name")
