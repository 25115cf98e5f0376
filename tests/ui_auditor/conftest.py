"""Fixtures for the auditors' pages: a second audit to tamper with, logged-in clients."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from audits.models import Audit, AuditKind, Section, User, Viewpoint
from audits.services import add_section, add_viewpoint, create_audit
from findings.models import Finding
from findings.services import add_finding


@pytest.fixture
def auditor_client(client: Client, auditor: User) -> Client:
    client.force_login(auditor)
    return client


@pytest.fixture
def other_audit(jinji, auditor) -> Audit:
    return create_audit(
        fiscal_year=2021,
        kinds=[AuditKind.objects.get(name="財務監査")],
        theme="別の監査",
        audited_departments=[jinji],
        period_start=datetime.date(2021, 8, 1),
        user=auditor,
    )


@pytest.fixture
def other_section(other_audit, auditor) -> Section:
    return add_section(other_audit, number="1", title="別の監査の節", user=auditor)


@pytest.fixture
def other_viewpoint(other_audit, auditor) -> Viewpoint:
    return add_viewpoint(other_audit, number="(1)", text="別の監査の着眼点", user=auditor)


@pytest.fixture
def other_finding(other_audit, kinds, jinji, auditor) -> Finding:
    return add_finding(
        other_audit, kind=kinds["shiteki"], body="別の監査の指摘", departments=[jinji], user=auditor
    )
