"""Fixtures for the staff pages: evidence files in a temporary directory."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages

from remediation.models import Evidence


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path, monkeypatch):
    """Point the evidence storage at a temp dir (for every test here, so no test ever
    writes into the real var/evidence).

    Assigning settings.STORAGES fires setting_changed, and Django (5.1+) then drops the
    cached backends of django.core.files.storage.storages, so storages["evidence"] is
    rebuilt with the new location. But Evidence.file was declared with a callable
    storage, which Django calls once when the model class is built: the field keeps the
    import-time instance. So the field's storage is swapped too, for this test only.
    """
    storages_setting = {**settings.STORAGES}
    storages_setting["evidence"] = {
        **storages_setting["evidence"],
        "OPTIONS": {**storages_setting["evidence"]["OPTIONS"], "location": str(tmp_path)},
    }
    settings.STORAGES = storages_setting
    assert storages["evidence"].location == str(tmp_path)
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", storages["evidence"])
    return tmp_path
