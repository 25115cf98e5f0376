"""Every auditor URL × the roles that may not edit: 404 on GET and POST, nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import Audit
from findings.models import Finding

pytestmark = pytest.mark.django_db


def editing_urls(audit, finding) -> list[str]:
    return [
        reverse("audit_create"),
        reverse("audit_edit", args=[audit.pk]),
        reverse("section_add", args=[audit.pk]),
        reverse("key_risk_add", args=[audit.pk]),
        reverse("viewpoint_add", args=[audit.pk]),
        reverse("finding_create", args=[audit.pk]),
        reverse("finding_edit", args=[finding.pk]),
        reverse("finding_delete", args=[finding.pk]),
        reverse("finding_move", args=[finding.pk]),
    ]


@pytest.mark.parametrize("persona", ["ict_staff", "jinji_staff", "manager"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_non_editors_get_404_on_every_auditor_url(client, request, persona, method, audit, finding):
    client.force_login(request.getfixturevalue(persona))
    before = (Audit.objects.count(), Finding.objects.count(), audit.sections.count())

    for url in editing_urls(audit, finding):
        response = getattr(client, method)(
            url, {"direction": "down", "section-number": "9", "section-title": "x"}
        )
        assert response.status_code == 404, url

    assert (Audit.objects.count(), Finding.objects.count(), audit.sections.count()) == before


def test_user_without_a_role_gets_404(client, audit, finding):
    from tests.conftest import make_user

    client.force_login(make_user(None, None))

    for url in [*editing_urls(audit, finding), reverse("audit_detail", args=[audit.pk])]:
        assert client.get(url).status_code == 404, url


def test_staff_cannot_open_an_audit_with_nothing_for_them(client, jinji_staff, audit, finding):
    client.force_login(jinji_staff)

    assert client.get(reverse("audit_detail", args=[audit.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_auditors_and_administrators_can_open_every_auditor_page(
    client, request, persona, audit, finding
):
    client.force_login(request.getfixturevalue(persona))
    post_only = ("/sections/new/", "/key-risks/new/", "/viewpoints/new/", "/move/")

    for url in editing_urls(audit, finding):
        expected = 405 if url.endswith(post_only) else 200
        assert client.get(url).status_code == expected, url


def test_anonymous_user_is_sent_to_login(client, audit):
    response = client.get(reverse("audit_list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("pk", ["999999"])
def test_unknown_ids_are_404_for_auditors(auditor_client, pk):
    for url in [
        reverse("audit_detail", args=[pk]),
        reverse("audit_edit", args=[pk]),
        reverse("finding_create", args=[pk]),
        reverse("finding_edit", args=[pk]),
        reverse("finding_delete", args=[pk]),
    ]:
        assert auditor_client.get(url).status_code == 404, url
    assert (
        auditor_client.post(reverse("finding_move", args=[pk]), {"direction": "up"}).status_code
        == 404
    )
