"""Fixtures for the staff pages: evidence files in a temporary directory."""

from __future__ import annotations

import pytest


@pytest.fixture
def evidence_dir(settings, tmp_path):
    """Point storages["evidence"] at a temp dir. Assigning settings.STORAGES fires
    setting_changed, which makes django.core.files.storage.storages forget its cached
    backends (Django 5.1+), so the new location is used from the next access on."""
    storages = {**settings.STORAGES}
    storages["evidence"] = {
        **storages["evidence"],
        "OPTIONS": {**storages["evidence"]["OPTIONS"], "location": str(tmp_path)},
    }
    settings.STORAGES = storages
    return tmp_path
