import pytest


@pytest.fixture(autouse=True)
def _links_resolve(settings):
    settings.ROOT_URLCONF = "tests.ui_manager.urls"
