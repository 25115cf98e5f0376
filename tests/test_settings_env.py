import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_env, env_bool, env_int, env_list, env_str


def test_env_bool_reads_common_spellings():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True


def test_env_bool_rejects_garbage_with_the_variable_name():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_required_string_missing_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_str("SECRET_KEY", environ={})


def test_env_int_rejects_non_numbers_and_too_small():
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("EVIDENCE_MAX_MB", 20, minimum=1, environ={"EVIDENCE_MAX_MB": "lots"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("EVIDENCE_MAX_MB", 20, minimum=1, environ={"EVIDENCE_MAX_MB": "0"})


def test_env_list_splits_on_commas():
    assert env_list("H", [], {"H": "a.example, b.example ,"}) == ["a.example", "b.example"]


def test_sqlite_is_the_default(tmp_path):
    db = database_from_env(tmp_path, {})
    assert db["ENGINE"] == "django.db.backends.sqlite3"


def test_postgres_url_is_parsed():
    db = database_from_env(None, {"DATABASE_URL": "postgres://u:p%40ss@db.local:5433/sochi"})  # type: ignore[arg-type]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u",
        "p@ss",
        "db.local",
        "5433",
        "sochi",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "scheme"),
        ("postgres://u@h:5432/", "name a database"),
        ("postgres://u@h:notaport/db", "invalid port"),
    ],
)
def test_bad_database_url_fails_clearly(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_env(None, {"DATABASE_URL": url})  # type: ignore[arg-type]


def test_settings_module_refuses_to_start_without_secret_key_when_debug_off():
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; settings.SECRET_KEY",
        ],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_module_requires_allowed_hosts_when_debug_off():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.ALLOWED_HOSTS"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_site_url_is_taken_from_the_environment_without_a_trailing_slash():
    from config.env import site_url_from_env

    env = {"SITE_URL": "https://sochi.example.lg.jp/"}
    assert site_url_from_env(False, [], env) == "https://sochi.example.lg.jp"


def test_site_url_defaults_to_the_dev_server_or_the_first_allowed_host():
    from config.env import site_url_from_env

    assert site_url_from_env(True, [], {}) == "http://127.0.0.1:8000"
    assert site_url_from_env(False, ["*", ".sochi.example.lg.jp"], {}) == (
        "https://sochi.example.lg.jp"
    )


@pytest.mark.parametrize(
    ("debug", "hosts", "env"),
    [
        (False, ["*"], {}),
        (True, [], {"SITE_URL": "sochi.example.lg.jp"}),
        (True, [], {"SITE_URL": "ftp://sochi.example.lg.jp"}),
        (True, [], {"SITE_URL": "https://sochi.example.lg.jp/?a=1"}),
    ],
)
def test_site_url_refuses_what_cannot_make_a_link(debug, hosts, env):
    from config.env import site_url_from_env

    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        site_url_from_env(debug, hosts, env)
