"""Reminder digests: a round with a deadline, findings for two departments, people with
mail addresses. Tasks run at once (django-tasks' immediate backend)."""

from __future__ import annotations

import datetime

import pytest

from followup.services import open_round

BASE = datetime.date(2021, 9, 30)
DEADLINE = datetime.date(2021, 10, 15)
AFTER_DEADLINE = datetime.date(2021, 10, 16)


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://sochi.example.lg.jp"
    settings.REMINDER_DAYS_BEFORE = 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "sochi@example.lg.jp"


def _with_address(user):
    user.email = f"{user.username}@example.lg.jp"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(auditor, administrator, manager, ict_staff, jinji_staff):
    return {
        u.username: _with_address(u)
        for u in (auditor, administrator, manager, ict_staff, jinji_staff)
    }


@pytest.fixture
def findings(make_finding, ict, jinji):
    return {
        "server": make_finding(label="①", title="サーバ室の整理", departments=[ict]),
        "media": make_finding(label="②", title="媒体の持出し", departments=[ict]),
        "leave": make_finding(label="③", title="休暇の記録", departments=[jinji]),
    }


@pytest.fixture
def round_(audit, auditor, findings, people):
    return open_round(
        name="令和3年9月30日現在の照会",
        audit=audit,
        base_date=BASE,
        deadline=DEADLINE,
        user=auditor,
    )
