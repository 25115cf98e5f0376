"""The incident models are visible, never editable, in Django's admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import RegisterYear

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["incident", "incidenttype", "registeryear"])
def test_admin_lists_and_shows_incident_rows_read_only(client, administrator, make_incident, model):
    incident = make_incident()
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    ids = {
        "incident": incident.pk,
        "incidenttype": incident.incident_type_id,
        "registeryear": RegisterYear.objects.get().pk,
    }

    listing = client.get(reverse(f"admin:incidents_{model}_changelist"), {"q": "障害"})
    change = client.post(
        reverse(f"admin:incidents_{model}_change", args=[ids[model]]), {"title": "x", "name": "x"}
    )

    assert listing.status_code == 200
    assert change.status_code == 403
    incident.refresh_from_db()
    assert incident.title != "x"
