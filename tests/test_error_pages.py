"""Error pages are in Japanese and keep the site's frame."""

import pytest
from django.test import override_settings


@override_settings(DEBUG=False)
def test_unknown_page_is_a_japanese_404_with_the_site_header(client, ict_staff):
    client.force_login(ict_staff)
    response = client.get("/findings/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    assert "ict_staff" in body or ict_staff.display_name in body
    assert "Not Found" not in body


@override_settings(DEBUG=False)
def test_other_departments_finding_is_the_same_404(client, jinji_staff, finding):
    client.force_login(jinji_staff)
    response = client.get(f"/findings/{finding.pk}/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.parametrize("name", ["400.html", "403.html", "500.html"])
def test_error_templates_render_in_japanese(name, rf, ict_staff):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = ict_staff
    html = render_to_string(name, {}, request=request if name != "500.html" else None)
    assert 'lang="ja"' in html
    assert "措置状況管理" in html


# --- the demo (DEBUG on) shows the same pages unless DEBUG_PAGES is set -------------------


@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_mistyped_address_in_the_demo_is_the_apps_404_not_the_url_list(client, ict_staff):
    client.force_login(ict_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body
    assert 'href="/"' in body  # the way back to the start page
    assert "URLconf" not in body
    assert "admin/" not in body


@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_signed_out_mistyped_address_in_the_demo_is_the_apps_404(client):
    response = client.get("/findingz/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_hidden_object_in_the_demo_is_the_apps_404(client, jinji_staff, finding):
    client.force_login(jinji_staff)
    response = client.get(f"/findings/{finding.pk}/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_missing_slash_still_redirects_in_the_demo(client, ict_staff):
    client.force_login(ict_staff)
    response = client.get("/findings")
    assert response.status_code == 301
    assert response["Location"] == "/findings/"


@override_settings(DEBUG=True, DEBUG_PAGES=True)
def test_developers_can_turn_the_debug_pages_back_on(client, ict_staff):
    client.force_login(ict_staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


def _middleware_response(rf, user, exception: Exception):
    from django.http import HttpResponse

    from config.error_pages import AppErrorPagesMiddleware

    request = rf.get("/somewhere/")
    request.user = user
    middleware = AppErrorPagesMiddleware(lambda r: HttpResponse())
    return middleware.process_exception(request, exception)


@override_settings(DEBUG=True, DEBUG_PAGES=False)
def test_refusal_and_crash_in_the_demo_are_the_apps_403_and_500(rf, ict_staff):
    from django.core.exceptions import PermissionDenied

    refused = _middleware_response(rf, ict_staff, PermissionDenied())
    assert refused.status_code == 403
    assert "この操作はできません" in refused.content.decode()
    assert 'href="/"' in refused.content.decode()

    crashed = _middleware_response(rf, ict_staff, RuntimeError("boom"))
    assert crashed.status_code == 500
    body = crashed.content.decode()
    assert "システムエラーが発生しました" in body
    assert 'href="/"' in body
    assert "boom" not in body


@override_settings(DEBUG=False)
def test_without_debug_django_handles_errors_itself(rf, ict_staff):
    assert _middleware_response(rf, ict_staff, RuntimeError("boom")) is None
