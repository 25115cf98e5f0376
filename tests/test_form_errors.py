"""Form errors are tied to their fields and listed in a summary at the top of the form."""

from __future__ import annotations

import re

from django.urls import reverse


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _control(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_each_field_error_is_named_by_its_control_and_listed_in_the_summary(client, ict_staff):
    client.force_login(ict_staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "", "new_password1": "", "new_password2": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    ids = _ids(html)

    for name in ("old_password", "new_password1", "new_password2"):
        control = _control(html, name)
        assert 'aria-invalid="true"' in control
        described = re.search(r'aria-describedby="([^"]+)"', control)
        assert described, control
        # Every id it names is on the page, and one of them holds the error message.
        assert set(described.group(1).split()) <= ids
        assert f"id_{name}_error" in described.group(1).split()
        assert re.search(rf'id="id_{name}_error"[^>]*>\s*<p class="field__error">', html)
        # The summary links to the field itself.
        assert f'href="#id_{name}"' in html

    summary = re.search(r"<div[^>]*data-error-summary[^>]*>", html)
    assert summary
    assert 'tabindex="-1"' in summary.group(0)
    assert 'role="alert"' in summary.group(0)


def test_sign_in_failure_is_in_the_summary(client, ict_staff):
    response = client.post(reverse("login"), {"username": ict_staff.username, "password": "x"})
    html = response.content.decode()
    assert "data-error-summary" in html
    assert "正しいユーザー名とパスワードを入力してください" in html


def test_a_valid_page_has_no_summary(client, ict_staff):
    html = client.get(reverse("login")).content.decode()
    assert "data-error-summary" not in html
    assert "js/error-summary.js" in html


def test_a_radio_group_names_its_error_and_the_summary_links_to_the_group(client, manager):
    client.force_login(manager)
    html = client.get(reverse("report_preview"), {"basis": "no-such-basis"}).content.decode()

    assert re.search(
        r'<fieldset[^>]*id="id_basis_group"[^>]*aria-describedby="id_basis_error"', html
    )
    assert 'id="id_basis_error"' in html
    assert 'href="#id_basis_group"' in html


def _linked_error(html: str, field_id: str) -> None:
    """The control names its error element, which exists, and the summary links to it."""
    control = re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', html)
    assert control, field_id
    assert 'aria-invalid="true"' in control.group(0)
    described = re.search(r'aria-describedby="([^"]+)"', control.group(0))
    assert described and f"{field_id}_error" in described.group(1).split()
    assert set(described.group(1).split()) <= _ids(html)
    assert re.search(rf'id="{field_id}_error"[^>]*>\s*<p class="field__error">', html)
    assert f'href="#{field_id}"' in html


def test_entry_form_date_error_is_linked_and_summarised(client, ict_staff, finding, statuses):
    client.force_login(ict_staff)
    response = client.post(
        reverse("entry_create", args=[finding.pk]),
        {"entry_date": "令和3年2月30日", "content": "廃棄した。"},
    )
    html = response.content.decode()
    assert "data-error-summary" in html
    _linked_error(html, "id_entry_date")
    # The status radios: the summary links to their group, which names its error.
    assert 'href="#id_status_group"' in html
    assert re.search(
        r'<fieldset[^>]*id="id_status_group"[^>]*aria-describedby="id_status_error"', html
    )
    assert 'id="id_status_error"' in html


def test_incident_form_date_error_is_linked_and_summarised(client, auditor, ict):
    from incidents.models import IncidentType
    from tests.incidents.test_pages import _form

    client.force_login(auditor)
    kind, _ = IncidentType.objects.get_or_create(name="誤送付")
    data = _form(ict.pk, kind.pk, reported_on="R6.2.30", title="")
    html = client.post(reverse("incident_create"), data).content.decode()
    assert "data-error-summary" in html
    _linked_error(html, "id_reported_on")
    _linked_error(html, "id_title")


def test_incident_register_filter_error_is_in_the_summary(client, auditor):
    client.force_login(auditor)
    html = client.get(reverse("incident_list"), {"fiscal_year": "x"}).content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_fiscal_year"' in html
