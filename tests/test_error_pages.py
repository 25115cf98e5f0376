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
