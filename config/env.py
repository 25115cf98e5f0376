"""Small typed readers for settings that come from the environment.

Each one fails loudly, naming the variable and what was expected, so that a
misconfigured server stops at start-up instead of misbehaving later.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_str(name: str, default: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set in the environment.")
        return default
    return raw.strip()


def env_int(
    name: str, default: int, *, minimum: int = 0, environ: Mapping[str, str] = os.environ
) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_env(base_dir: Path, environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    """SQLite beside the project unless DATABASE_URL names a PostgreSQL server."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": base_dir / "var" / "db.sqlite3"}
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must look like postgres://user:password@host:port/name; "
            f"the scheme {parts.scheme!r} is not supported."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(
            "DATABASE_URL must name a database: postgres://user@host:5432/NAME"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"DATABASE_URL has an invalid port: {url!r}") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 60,
        # The status annotations are correlated subqueries whose cost estimate triggers
        # JIT compilation, which takes longer than the queries themselves (measured: about
        # 0.7 s per dashboard query at 50,000 findings).
        "OPTIONS": {"options": "-c jit=off"},
    }


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] = os.environ
) -> str:
    value = env_str(name, default=default, environ=environ).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


def evidence_storage_from_env(
    default_root: Path, environ: Mapping[str, str] = os.environ
) -> dict[str, object]:
    """The "evidence" entry of STORAGES: a local folder (EVIDENCE_ROOT) by default, or
    an S3-compatible bucket through django-storages when EVIDENCE_STORAGE=s3. Objects
    stay private (no ACL, signed URLs only); files are served through the app's view
    that checks access, never by a bucket URL."""
    kind = env_choice("EVIDENCE_STORAGE", ("local", "s3"), "local", environ)
    if kind == "local":
        root = Path(env_str("EVIDENCE_ROOT", default=str(default_root), environ=environ))
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        }
    options: dict[str, object] = {
        "bucket_name": env_str("EVIDENCE_S3_BUCKET", environ=environ),
        "location": env_str("EVIDENCE_S3_PREFIX", default="evidence", environ=environ),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
    }
    optional = {
        "endpoint_url": "EVIDENCE_S3_ENDPOINT_URL",
        "region_name": "EVIDENCE_S3_REGION",
        "access_key": "EVIDENCE_S3_ACCESS_KEY_ID",
        "secret_key": "EVIDENCE_S3_SECRET_ACCESS_KEY",
        "addressing_style": "EVIDENCE_S3_ADDRESSING_STYLE",
    }
    for option, variable in optional.items():
        value = env_str(variable, default="", environ=environ)
        if value:
            options[option] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def site_url_from_env(
    debug: bool, allowed_hosts: list[str], environ: Mapping[str, str] = os.environ
) -> str:
    """The absolute address of the app, for links in mail (no trailing slash).

    SITE_URL when set (it must be http(s)://host[:port][/path]); otherwise the
    development server with DEBUG, else https:// and the first concrete ALLOWED_HOSTS name.
    """
    raw = environ.get("SITE_URL", "").strip()
    if raw:
        parts = urlsplit(raw)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ImproperlyConfigured(
                f"SITE_URL must look like https://sochi.example.lg.jp; got {raw!r}."
            )
        if parts.query or parts.fragment:
            raise ImproperlyConfigured(f"SITE_URL must not carry a query or fragment; got {raw!r}.")
        return raw.rstrip("/")
    if debug:
        return "http://127.0.0.1:8000"
    host = next((h.lstrip(".") for h in allowed_hosts if h not in {"*", ""}), "")
    if not host or "*" in host:
        raise ImproperlyConfigured(
            "SITE_URL must be set (e.g. https://sochi.example.lg.jp) when ALLOWED_HOSTS "
            "names no concrete host."
        )
    return f"https://{host}"
