"""Fixtures for report tests (shared with the Excel/CSV tests): keep them generic."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from audits.models import Audit, User
from findings.models import Finding


@pytest.fixture
def seed_report_user(db) -> User:
    """Loads the demo data (seed 000 and 001 audits) and returns the manager, who sees all."""
    from audits.demo import load_demo

    load_demo()
    return User.objects.get(username="kanri")


@pytest.fixture
def seed_audit(seed_report_user) -> Audit:
    """The seed-000 audit: 令和2年度 行政監査「情報セキュリティの管理について」."""
    return Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")


@pytest.fixture
def seed_fixture() -> dict[str, Any]:
    """The transcription of seed 000 the demo loader reads (fixtures/audit_000_*.json)."""
    path = Path(settings.BASE_DIR) / "fixtures" / "audit_000_yokkaichi.json"
    fixture: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return fixture


@pytest.fixture
def jinji_finding(make_finding: Callable[..., Finding], jinji, kinds) -> Finding:
    """A 意見 addressed to 人事課 only, in the same audit as `finding`."""
    return make_finding(
        kind=kinds["iken"],
        label="②",
        title="人事記録の持ち出しについて",
        body="人事記録の持ち出し手順を定めること。",
        departments=[jinji],
    )


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def compact(text: str) -> str:
    """Text without any whitespace: line wrapping in a PDF cell moves line breaks."""
    return "".join(text.split())


@pytest.fixture
def assert_in_order() -> Callable[[str, list[str]], None]:
    def check(haystack: str, needles: list[str]) -> None:
        flat = compact(haystack)
        position = 0
        for needle in needles:
            found = flat.find(compact(needle), position)
            assert found >= 0, (
                f"{needle!r} missing after position {position}: …{flat[position : position + 80]}…"
            )
            position = found + len(compact(needle))

    return check
