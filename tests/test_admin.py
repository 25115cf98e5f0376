"""The admin shows every model usefully: each list (with its filters and search) and each
object page renders for an administrator."""

import pytest
from django.contrib import admin
from django.urls import reverse

from audits.demo import load_demo
from audits.models import User

MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"audits", "findings", "remediation"}
)


@pytest.fixture
def admin_client(client, db):
    load_demo()
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_admin_list_search_and_object_page_render(admin_client, app, model):
    changelist = reverse(f"admin:{app}_{model}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert admin_client.get(changelist, {"q": "情報"}).status_code == 200
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.model_name == model)
    obj = model_admin.model.objects.first()
    if obj is not None:
        response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
        assert response.status_code == 200


def test_remediation_entries_are_read_only_in_the_admin(admin_client):
    from remediation.models import RemediationEntry

    entry = RemediationEntry.objects.first()
    assert entry is not None
    response = admin_client.post(
        reverse("admin:remediation_remediationentry_change", args=[entry.pk]), {"content": "x"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.content != "x"
