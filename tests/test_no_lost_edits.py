"""Issue 12, no lost edits: a stale edit of a finding or an audit is refused with the
other person's change shown and the typed text kept; a duplicate number from a race is a
form error, not a 500."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from audits.forms import AUDIT_FORM_FIELDS
from audits.models import Audit, Viewpoint
from audits.services import add_viewpoint, audit_version, update_audit
from audits.versions import STALE_MESSAGE, StaleEdit
from findings.models import Finding
from findings.services import finding_version, update_finding


def _form_data(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        data[form[name].html_name] = "" if value is None else value
    return data


def _finding_changes(finding: Finding, **changes: Any) -> dict[str, Any]:
    values = {
        "kind": finding.kind,
        "section": finding.section,
        "viewpoint": finding.viewpoint,
        "parent": finding.parent,
        "label": finding.label,
        "title": finding.title,
        "body": finding.body,
        "subclass": finding.subclass,
        "due_date": finding.due_date,
    }
    return values | changes


def test_a_stale_finding_edit_is_refused_with_the_other_change_shown_and_the_text_kept(
    client: Client, auditor, finding
):
    client.force_login(auditor)
    url = reverse("finding_edit", args=[finding.pk])
    opened = _form_data(client.get(url).context["form"])
    # Someone else saves a new title after the form was opened.
    update_finding(
        finding,
        departments=list(finding.departments.all()),
        user=auditor,
        **_finding_changes(finding, title="別の人が直した件名"),
    )
    mine = {**opened, "body": "私が書き足した本文です。"}

    response = client.post(url, mine)

    assert response.status_code == 200
    html = response.content.decode()
    assert STALE_MESSAGE in html
    assert "ほかの人の変更" in html
    assert "別の人が直した件名" in html  # theirs, in the comparison
    assert "私が書き足した本文です。" in html  # mine, kept in the form
    conflict = {row.label: row for row in response.context["conflict"]}
    assert conflict["件名"].current == "別の人が直した件名"
    assert conflict["本文"].yours == "私が書き足した本文です。"
    finding.refresh_from_db()
    assert finding.title == "別の人が直した件名"
    assert finding.body != "私が書き足した本文です。"

    # Saving again, having seen the change, overwrites on purpose.
    again = _form_data(response.context["form"])
    assert again["version"] == finding_version(finding)
    assert client.post(url, again).status_code == 302
    finding.refresh_from_db()
    assert finding.body == "私が書き足した本文です。"


def test_an_unchanged_finding_saves_with_its_version(client: Client, auditor, finding):
    client.force_login(auditor)
    url = reverse("finding_edit", args=[finding.pk])
    data = {**_form_data(client.get(url).context["form"]), "title": "新しい件名"}

    assert client.post(url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.title == "新しい件名"


def test_the_service_refuses_a_stale_version(auditor, finding):
    old = finding_version(finding)
    update_finding(
        finding,
        departments=list(finding.departments.all()),
        user=auditor,
        **_finding_changes(finding, body="一人目"),
    )
    with pytest.raises(StaleEdit) as refused:
        update_finding(
            finding,
            departments=list(finding.departments.all()),
            user=auditor,
            version=old,
            **_finding_changes(finding, body="二人目"),
        )
    assert refused.value.current.body == "一人目"
    finding.refresh_from_db()
    assert finding.body == "一人目"


def test_a_stale_audit_edit_is_refused_with_the_other_change_shown(
    client: Client, auditor, audit, ict
):
    client.force_login(auditor)
    url = reverse("audit_edit", args=[audit.pk])
    opened = _form_data(client.get(url).context["form"])
    update_audit(
        audit,
        user=auditor,
        kinds=list(audit.kinds.all()),
        audited_departments=[ict],
        finding_kinds=list(audit.finding_kinds.all()),
        fiscal_year=audit.fiscal_year,
        theme="別の人が直したテーマ",
    )
    mine = {**opened, "signers": "監査委員　山田 太郎"}

    response = client.post(url, mine)

    assert response.status_code == 200
    html = response.content.decode()
    assert STALE_MESSAGE in html
    assert "別の人が直したテーマ" in html
    assert "監査委員　山田 太郎" in html
    audit.refresh_from_db()
    assert audit.theme == "別の人が直したテーマ"
    assert audit.signers == ""

    again = _form_data(response.context["form"])
    assert again["version"] == audit_version(audit, AUDIT_FORM_FIELDS)
    assert client.post(url, again).status_code == 302
    audit.refresh_from_db()
    assert audit.signers == "監査委員　山田 太郎"


def test_the_audit_version_covers_exactly_the_forms_header_fields(client: Client, auditor, audit):
    client.force_login(auditor)
    url = reverse("audit_edit", args=[audit.pk])
    form = client.get(url).context["form"]
    bound = type(form)(_form_data(form), audit=audit)
    assert bound.is_valid(), bound.errors
    assert set(bound.header_values()) == set(AUDIT_FORM_FIELDS)


def test_a_report_text_change_does_not_block_a_header_edit(client: Client, auditor, audit):
    from audits.services import update_audit_report

    client.force_login(auditor)
    url = reverse("audit_edit", args=[audit.pk])
    opened = _form_data(client.get(url).context["form"])
    update_audit_report(
        audit,
        user=auditor,
        report_title="",
        purpose="目的",
        method="",
        standards_applied="",
        standards_reference="",
        report_date_precision="day",
    )
    response = client.post(url, {**opened, "theme": "新テーマ"})
    assert response.status_code == 302, response.context["form"].errors


# --- a duplicate number from a race ----------------------------------------------------------


def _other_insert_not_yet_visible() -> contextlib.ExitStack:
    """As if the other insert committed between our checks (the service's own and
    full_clean's constraint check) and our INSERT: only the database sees it."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch("audits.services._check_viewpoint_number"))
    stack.enter_context(mock.patch.object(Viewpoint, "validate_constraints"))
    return stack


def test_a_duplicate_number_that_slips_past_the_check_is_a_field_error(auditor, audit):
    add_viewpoint(audit, number="(1)", text="一つ目", user=auditor)
    with _other_insert_not_yet_visible(), pytest.raises(ValidationError) as refused:
        add_viewpoint(audit, number="(1)", text="二つ目", user=auditor)
    assert "(1)" in refused.value.message_dict["number"][0]
    assert list(Viewpoint.objects.filter(audit=audit).values_list("text", flat=True)) == ["一つ目"]


def test_the_race_on_the_page_is_a_form_error_not_a_500(client: Client, auditor, audit):
    client.force_login(auditor)
    add_viewpoint(audit, number="(1)", text="一つ目", user=auditor)
    with _other_insert_not_yet_visible():
        response = client.post(
            reverse("viewpoint_add", args=[audit.pk]),
            {"viewpoint-number": "(1)", "viewpoint-text": "二つ目"},
        )
    assert response.status_code in (200, 400)
    assert "既にあります" in response.content.decode()
    assert Viewpoint.objects.filter(audit=audit).count() == 1


def _race(*jobs: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # each side's outcome is inspected
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers (PostgreSQL)")
def test_ten_simultaneous_adds_of_one_number_store_one_and_refuse_nine(auditor, ict):
    from audits.services import ensure_reference_data

    ensure_reference_data()
    from audits.models import AuditKind
    from audits.services import create_audit

    audit = create_audit(
        fiscal_year=2020,
        kinds=[AuditKind.objects.get(name="行政監査")],
        theme="競合",
        audited_departments=[ict],
        user=auditor,
    )

    def add(i: int) -> Callable[[], object]:
        return lambda: add_viewpoint(
            Audit.objects.get(pk=audit.pk), number="(1)", text=f"{i}", user=auditor
        )

    results = _race(*(add(i) for i in range(10)))

    stored = [r for r in results if isinstance(r, Viewpoint)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(stored) == 1, results
    assert len(refused) == 9, results
    assert all("既にあります" in str(r) for r in refused)


def test_a_stale_structure_row_edit_is_refused_with_the_other_change_shown(
    client: Client, auditor, audit, section
):
    from audits.services import update_section

    client.force_login(auditor)
    url = reverse("section_edit", args=[audit.pk, section.pk])
    page = client.get(url)
    opened = _form_data(page.context["form"]) | {"row_version": page.context["row_version"]}
    update_section(section, number=section.number, title="別の人が直した節", user=auditor)

    response = client.post(url, opened | {"title": "私の節の名前"})

    assert response.status_code == 200
    html = response.content.decode()
    assert STALE_MESSAGE in html
    assert "別の人が直した節" in html and "私の節の名前" in html
    section.refresh_from_db()
    assert section.title == "別の人が直した節"

    again = _form_data(response.context["form"]) | {"row_version": response.context["row_version"]}
    assert client.post(url, again).status_code == 302
    section.refresh_from_db()
    assert section.title == "私の節の名前"
