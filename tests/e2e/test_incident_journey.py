"""The incident register in a real browser (issue 11 item 6): an auditor registers a
security incident with a 再発防止策; the department's staff find it in the register and
the measure in their own list of findings to report on; another department sees neither."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from incidents.models import Incident, IncidentType
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import demo, shoot  # noqa: F401  (the demo fixture)

TITLE = "住民票の写しの誤送付（E2E）"
MEASURE = "封入時に宛名と内容を二人で読み合わせて確認する。"


def test_auditor_registers_an_incident_and_the_department_sees_its_measure(
    page: Page,
    demo,  # noqa: F811
    shots,
):
    IncidentType.objects.get_or_create(name="誤送付")

    # 1. The auditor reports the incident for ICT戦略課, with one measure.
    sign_in(page, demo.url, "kansa", "kansa-demo-2026")
    page.goto(f"{demo.url}/incidents/")
    page.get_by_role("link", name="障害を報告する").click()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_incident_type").select_option(label="誤送付")
    page.locator("#id_department").select_option(label="総務部 ICT戦略課")
    page.locator("#id_occurred_from").fill("2024-06")
    page.locator("#id_record_count").fill("3")
    page.locator("#id_record_unit").fill("人分")
    page.get_by_label("機密性").check()
    page.locator("#id_summary").fill("別の世帯に住民票の写しを送付した。")
    page.locator("#id_cause").fill("封入時の確認漏れ。")
    page.locator("#id_reported_on").fill("2024-06-10")
    page.locator("#id_measures").fill(MEASURE)
    # First a mistake: an end month before the start is answered beside the field.
    page.locator("#id_occurred_to").fill("2024-05")
    page.get_by_role("button", name="報告する").click()
    expect(page.locator(".field__error").first).to_contain_text(
        "発生年月（終わり）は発生年月より後の月にしてください。"
    )
    expect(page.locator("#id_measures")).to_have_value(MEASURE)
    page.locator("#id_occurred_to").fill("")
    page.get_by_role("button", name="報告する").click()

    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    measures = page.locator("#measures")
    expect(measures).to_contain_text(MEASURE)
    expect(measures).to_contain_text("未報告")
    shoot(page, shots, "1-incident-registered")
    incident = Incident.objects.get(title=TITLE)
    assert incident.fiscal_year == 2024 and incident.record_count_text == "3人分"

    # 2. ICT戦略課 staff see it in the register (令和6年度) and the measure in their list.
    page.context.clear_cookies()
    sign_in(page, demo.url, "ict", "ict-demo-2026")
    page.goto(f"{demo.url}/incidents/?fiscal_year=2024")
    register = page.locator("#incident-register")
    expect(register).to_contain_text(TITLE)
    expect(register).to_contain_text("総務部ICT戦略課")
    expect(page.locator("#type-counts")).to_contain_text("誤送付")
    shoot(page, shots, "2-staff-register")
    page.goto(f"{demo.url}/findings/mine/")
    expect(page.locator("main")).to_contain_text(TITLE)
    shoot(page, shots, "3-staff-own-findings")
    page.goto(f"{demo.url}/incidents/{incident.pk}/")
    page.get_by_role("link", name="措置状況を見る・報告する").click()
    expect(page.locator("main")).to_contain_text(MEASURE)

    # 3. 人事課 staff see neither the incident nor its page.
    page.context.clear_cookies()
    sign_in(page, demo.url, "jinji", "jinji-demo-2026")
    page.goto(f"{demo.url}/incidents/?fiscal_year=2024")
    expect(page.locator("main")).not_to_contain_text(TITLE)
    response = page.goto(f"{demo.url}/incidents/{incident.pk}/")
    assert response is not None and response.status == 404
