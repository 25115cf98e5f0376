"""Security headers on every page, no inline code anywhere (so the CSP can forbid it),
and the Japanese error pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from tests.html_checks import inline_code, is_html

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in policy.split(";")
        if part.strip()
    }


def test_csp_allows_only_own_files_and_nothing_inline(client, db):
    directives = _directives(client.get("/accounts/login/"))

    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    policy = " ".join(directives.values())
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy  # no outside host, not even a CDN


def test_every_response_has_the_other_security_headers(client, db):
    response = client.get("/accounts/login/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(SECURE_HSTS_SECONDS=31_536_000)
def test_hsts_is_sent_over_tls_only(client, db):
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_htmx_is_told_not_to_inject_its_indicator_style(client, db):
    body = client.get("/accounts/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', body)
    assert config is not None
    settings = json.loads(config.group(1))
    assert settings["includeIndicatorStyles"] is False
    # Settling copies these attributes into swapped-in elements: never "style" (CSP).
    assert "style" not in settings["attributesToSettle"]


def _template_files() -> list[Path]:
    """Every page template; not the PDFs', which WeasyPrint renders on the server."""
    folders = [ROOT / "templates"] + [
        ROOT / app / "templates"
        for app in ("audits", "findings", "remediation", "reports", "accounts")
    ]
    return sorted(
        p
        for folder in folders
        if folder.exists()
        for p in folder.rglob("*.html")
        if p.name
        not in (
            "report_pdf.html",
            "audit_summary_pdf.html",
            "results_pdf.html",
            "register_pdf.html",
        )
    )


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_inline_script_or_style(path):
    found = inline_code(path.read_text(encoding="utf-8"))
    assert not found, found


def test_the_main_pages_render_without_inline_code(
    client, auditor, ict_staff, manager, administrator, finding, make_entry
):
    make_entry(finding)
    pages = {
        auditor: [
            "/audits/",
            f"/audits/{finding.audit_id}/",
            "/audits/new/",
            f"/audits/{finding.audit_id}/edit/",
            f"/audits/{finding.audit_id}/findings/new/",
            f"/findings/{finding.pk}/edit/",
            "/findings/",
            f"/findings/{finding.pk}/",
            "/dashboard/",
            f"/reports/?audit={finding.audit_id}",
            "/accounts/mfa/",
            "/accounts/mfa/setup/",
            "/accounts/password/",
            "/no-such-page/",
        ],
        ict_staff: [
            "/findings/mine/",
            f"/findings/{finding.pk}/",
            f"/findings/{finding.pk}/entries/new/",
            "/findings/?q=サーバ",
            "/accounts/mfa/",
        ],
        manager: ["/dashboard/", "/findings/", "/audits/"],
        administrator: ["/accounts/lockouts/", "/audits/"],
    }
    seen = 0
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), f"{url}: {response.status_code}"
            assert is_html(response), url
            assert "Content-Security-Policy" in response, url
            found = inline_code(response.content.decode())
            assert not found, f"{url}: {found}"
            seen += 1
    assert seen == sum(len(u) for u in pages.values())


def test_the_admin_site_is_under_the_same_policy(client, administrator):
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    for url in (
        "/admin/",
        "/admin/audits/audit/",
        "/admin/audits/department/",
        "/admin/audits/user/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url


# --- Japanese error pages -------------------------------------------------------------------


def test_csrf_failure_is_a_japanese_403(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "a", "password": "b"})

    body = response.content.decode()
    assert response.status_code == 403
    assert "操作を受け付けられませんでした" in body
    assert "CSRF verification failed" not in body
    assert 'lang="ja"' in body
    assert not inline_code(body)


def test_csrf_failure_view_is_configured():
    assert django_settings.CSRF_FAILURE_VIEW == "accounts.views.csrf_failure"


@override_settings(DEBUG=False)
def test_404_is_japanese_and_has_the_headers(client, ict_staff):
    client.force_login(ict_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()
    assert "Content-Security-Policy" in response


def test_500_page_is_japanese_and_loads_no_inline_code(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "システムエラーが発生しました" in html
    assert not inline_code(html)
