"""Every page, every role, at a phone's width and a desktop's (issue 14 items 5 and 7).

For each role the test signs in and walks the app from the home page: every same-site link
it finds is followed once per kind of page (`/findings/12/` and `/findings/40/` are one
kind), so new pages are checked without being listed here. Each page is checked at 375 px
and at 1280 px for two things:

- the page itself does not scroll sideways (a wide table scrolls inside its own box, which
  says so to a screen reader: role="region" with 「横にスクロールできます」 and tabindex="0");
- axe-core (vendored in tests/e2e/vendor/axe-core, injected by the test, never served by
  the app) finds no violation with its default rules.

Every failure of a role is gathered and shown at once: the page, the width, each axe
rule's id, help text and the elements it names."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from audits.models import Audit, Department, User
from findings.models import Finding
from followup.services import open_round
from incidents.models import IncidentType
from incidents.services import report_incident
from inspections import services as inspections
from inspections.services import OptionSpec
from organisation.demo import COMMITTEE_LOGIN, load_organisation_demo
from remediation.models import RemediationStatus
from remediation.services import record_entry
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import demo  # noqa: F401  (the demo fixture)
from tests.incidents.conftest import incident_fields

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1280)
ROLES = {
    "監査担当": ("kansa", "kansa-demo-2026"),
    "所管課担当(ict)": ("ict", "ict-demo-2026"),
    "所管課担当(jinji)": ("jinji", "jinji-demo-2026"),
    "管理職": ("kanri", "kanri-demo-2026"),
    "管理者": ("admin", "admin-demo-2026"),
    "監査委員": COMMITTEE_LOGIN[:2],
}
# Links not followed: downloads (not pages), Django's own admin (not the app's pages),
# and signing out (it would end the walk).
SKIP = re.compile(
    r"^/(admin|static|media)/|/accounts/logout/|/evidence/|export\.|\.(pdf|xlsx|csv)$"
)
# A query string makes a different page only where it selects what is shown (the report
# preview of one audit); filters, sorting and paging are the same page.
PAGE_QUERIES = {"audit"}
# The lists of named rows (分類, 種別 …) share one edit page and one delete page.
NAMED_ROW = re.compile(r"^/(classes|incidents/types)/([\w-]+/)?N/(edit|delete)/$")
# Far more than any role reaches: a walk that stops here has found a loop of new URLs.
MAX_PAGES_PER_ROLE = 100


def _kind_of(path: str, query: str) -> str | None:
    if SKIP.search(path):
        return None
    params = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    if params - PAGE_QUERIES:
        return None
    kind = re.sub(r"\d+", "N", path)
    kind = NAMED_ROW.sub(r"/named-row/\3/", kind)
    return kind + ("?" + ",".join(sorted(params)) if params else "")


def _rounds_incident_and_reorganisation() -> None:
    """Rows the demo lacks, so that each kind of detail page exists: a follow-up round
    with an entry waiting for review, a self-inspection round, a visit and an incident."""
    auditor = User.objects.get(username="kansa")
    staff = User.objects.get(username="ict")
    ict = Department.objects.get(code="ict")
    jinji = Department.objects.get(code="jinji")
    today = timezone.localdate()
    audit = Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")

    open_round(
        name="令和7年度 措置状況照会",
        base_date=today,
        deadline=today + datetime.timedelta(days=30),
        user=auditor,
        audit=audit,
    )
    finding = Finding.objects.filter(audit=audit, departments=ict).with_status().open().first()
    assert finding is not None
    record_entry(
        finding,
        status=RemediationStatus.objects.filter(is_closed=False).earliest("sort_order"),
        entry_date=today,
        content="サーバ室の入退室記録の様式を見直した。",
        user=staff,
    )

    year = today.year if today.month >= 4 else today.year - 1
    checklist = inspections.create_checklist(fiscal_year=year, name="自己点検票", user=auditor)
    category = inspections.add_category(checklist, number="(1)", title="巡回", user=auditor)
    inspections.add_item(
        category,
        number="①",
        question="巡回の実施",
        result_phrase="巡回が実施されている",
        options=(OptionSpec("実施", "done"), OptionSpec("未実施", "issue")),
        user=auditor,
    )
    inspection_round = inspections.open_inspection_round(
        name="情報セキュリティ自己点検",
        fiscal_year=year,
        kind="self",
        checklist=checklist,
        departments=[ict, jinji],
        start_date=today,
        deadline=today + datetime.timedelta(days=30),
        user=auditor,
    )
    inspections.create_visit(
        name="情報セキュリティ訪問調査",
        fiscal_year=year,
        departments=[ict],
        round_=inspection_round,
        visit_date=today,
        user=auditor,
    )

    kind, _ = IncidentType.objects.get_or_create(name="誤送付")
    report_incident(
        user=auditor,
        measures=["封入時に宛名と内容を二人で読み合わせて確認する。"],
        **incident_fields(
            ict,
            kind,
            title="住民票の写しの誤送付",
            reported_on=today,
            occurred_from=today,
            record_count=3,
            record_unit="人分",
            confidentiality=True,
            integrity=False,
            summary="別の世帯に住民票の写しを送付した。",
            cause="封入時の確認漏れ。",
            press_release_on=None,
            citizen_response="",
        ),
    )

    # The 監査委員 login and a planned reorganisation, as `make run` has them.
    load_organisation_demo()


def _new_context(browser: Browser, base_url: str, outside: list[str]) -> BrowserContext:
    # bypass_csp: the app's CSP (rightly) refuses the inline script that carries axe-core.
    context = browser.new_context(
        viewport={"width": WIDTHS[-1], "height": 900}, locale="ja-JP", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    context.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith((base_url, "data:", "blob:", "about:"))
            else None
        ),
    )
    return context


# The page's width; when it is wider than the window, the outermost elements that stick
# out (not those inside a box that scrolls sideways itself), to say what to fix; and the
# boxes that do scroll sideways without saying so (a focusable, named region).
OVERFLOW = """() => {
    const name = (el) => {
        const id = el.id ? "#" + el.id : "";
        const cls = el.classList.length ? "." + [...el.classList].join(".") : "";
        return el.tagName.toLowerCase() + id + cls;
    };
    const root = document.documentElement;
    const limit = root.clientWidth;
    const culprits = [];
    const walk = (el) => {
        const right = el.getBoundingClientRect().right;
        if (right > limit + 0.5) {
            culprits.push(name(el) + " " + Math.round(right));
            return;
        }
        if (el !== document.body && getComputedStyle(el).overflowX !== "visible") return;
        for (const child of el.children) if (culprits.length < 6) walk(child);
    };
    if (root.scrollWidth > limit) walk(document.body);
    const silent = [...document.body.querySelectorAll("*")].filter((el) => {
        if (!["auto", "scroll"].includes(getComputedStyle(el).overflowX)) return false;
        if (el.scrollWidth <= el.clientWidth + 1) return false;
        return !(
            el.getAttribute("role") === "region" &&
            el.getAttribute("tabindex") === "0" &&
            (el.getAttribute("aria-label") || "").includes("横にスクロールできます")
        );
    }).map(name);
    if (root.scrollWidth > limit && !culprits.length) culprits.push("(no element found)");
    return [root.scrollWidth, culprits, silent];
}"""


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
            // Only the violations in full: the passes are not reported, which saves time.
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id,
                help: v.help,
                targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                count: v.nodes.length,
            }));
        }"""
    )
    return result


def _check_page(page: Page, label: str) -> list[str]:
    """The problems of the loaded page, at each width (the viewport changes in place)."""
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        wide, culprits, silent = page.evaluate(OVERFLOW)
        if culprits:
            problems.append(f"{label} @{width}px: page is {wide} px wide: {culprits}")
        if silent:
            problems.append(f"{label} @{width}px: scrolls sideways without saying so: {silent}")
        for v in _axe_violations(page):
            problems.append(
                f"{label} @{width}px: axe {v['id']} ({v['count']}×) {v['help']}: {v['targets']}"
            )
    return problems


def _links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "(links) => links.map((a) => a.href)")
    return hrefs


def _walk(page: Page, base_url: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Visit `start` and every page reachable from it, one of each kind."""
    seen: set[str] = set()
    queue: list[str] = []
    for url in start:
        parts = urlsplit(url)
        kind = _kind_of(parts.path, parts.query) or url
        if kind not in seen:
            seen.add(kind)
            queue.append(url)
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        response = page.goto(base_url + url)
        status = response.status if response else 0
        visited.append(f"{url} [{status}]")
        if status >= 500:
            problems.append(f"{url}: HTTP {status}")
            continue
        problems.extend(_check_page(page, url))
        for href in _links(page):
            parts = urlsplit(href)
            if not href.startswith(base_url):
                continue
            found = _kind_of(parts.path, parts.query)
            if found is None or found in seen:
                continue
            seen.add(found)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    if queue:
        problems.append(f"the walk stopped at {MAX_PAGES_PER_ROLE} pages; not visited: {queue}")
    return visited, problems


@pytest.fixture
def every_kind_of_row(demo):  # noqa: F811
    _rounds_incident_and_reorganisation()
    return demo


def test_every_page_fits_a_phone_and_passes_axe_for_every_role(browser, every_kind_of_row):
    base_url = every_kind_of_row.url
    audit = Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")
    outside: list[str] = []
    report: list[str] = []
    problems: list[str] = []

    # Signed out: the sign-in page and the 404 page.
    context = _new_context(browser, base_url, outside)
    page = context.new_page()
    visited, found = _walk(page, base_url, ["/accounts/login/", "/no-such-page/"])
    context.close()
    report.append(f"signed out: {len(visited)} pages")
    problems.extend(f"(signed out) {p}" for p in found)

    for role, (username, password) in ROLES.items():
        began = time.monotonic()
        context = _new_context(browser, base_url, outside)
        page = context.new_page()
        sign_in(page, base_url, username, password)
        # The seed audit first: its pages (sections, report content) have every part.
        start = [
            "/",
            f"/audits/{audit.pk}/",
            f"/reports/?audit={audit.pk}",
            "/findings/?q=サーバー",
            "/no-such-page/",
        ]
        visited, found = _walk(page, base_url, start)
        context.close()
        report.append(
            f"{role}: {len(visited)} pages ({time.monotonic() - began:.0f} s): " + " ".join(visited)
        )
        problems.extend(f"({role}) {p}" for p in found)

    print("\n".join(report))
    assert not outside, f"requests left the server: {outside}"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
