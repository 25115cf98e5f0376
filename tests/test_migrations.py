"""Data migrations carry existing audits over unchanged: an audit's one kind becomes its
list of kinds, comma-joined external auditors one per line, and the fixed 是正 / 改善
request type a configurable sub-class of the finding's class."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audits.services import ensure_reference_data

BEFORE = [("audits", "0003_default_vocabulary_and_roles"), ("findings", "0001_initial")]
AFTER = [("audits", "0006_remove_audit_kind"), ("findings", "0004_remove_finding_request_type")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_audits_keep_their_kind_auditors_and_request_types():
    # An earlier transactional test (a live server, a backup) ends with a flush that
    # empties the rows migrate made (serialized rollback does not survive the browser
    # tests, see tests/e2e/conftest.py): put them back before migrating down.
    ensure_reference_data()
    old = _migrate(BEFORE)
    # An earlier transactional test's flush may have removed the vocabulary migrations made.
    kind, _ = old.get_model("audits", "AuditKind").objects.get_or_create(name="行政監査")
    for code, name in (("shiteki", "指摘"), ("iken", "意見")):
        old.get_model("findings", "FindingKind").objects.get_or_create(code=code, name=name)
    department = old.get_model("audits", "Department").objects.create(code="ict", name="ICT戦略課")
    audit = old.get_model("audits", "Audit").objects.create(
        fiscal_year=2020,
        kind=kind,
        theme="情報セキュリティの管理について",
        period_start=datetime.date(2021, 2, 10),
        auditor_names="研究所 茶谷 達雄、事務所 西城 秀雄",
    )
    audit.audited_departments.add(department)
    finding_kind = old.get_model("findings", "FindingKind").objects.get(code="iken")
    finding = old.get_model("findings", "Finding").objects.create(
        audit=audit, kind=finding_kind, body="本文", request_type="kaizen"
    )
    plain = old.get_model("findings", "Finding").objects.create(
        audit=audit, kind=finding_kind, body="本文2", request_type=""
    )

    new = _migrate(AFTER)
    Audit = new.get_model("audits", "Audit")
    Finding = new.get_model("findings", "Finding")
    migrated = Audit.objects.get(pk=audit.pk)
    assert [k.name for k in migrated.kinds.all()] == ["行政監査"]
    assert migrated.auditor_names == "研究所 茶谷 達雄\n事務所 西城 秀雄"
    assert migrated.period_precision == "day"
    assert Finding.objects.get(pk=finding.pk).subclass.name == "改善"
    assert Finding.objects.get(pk=finding.pk).subclass.kind_id == finding_kind.pk
    assert Finding.objects.get(pk=plain.pk).subclass is None
    subclasses = new.get_model("findings", "FindingSubclass").objects
    assert set(subclasses.filter(kind__code="shiteki").values_list("name", flat=True)) == {
        "是正",
        "改善",
    }


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Leave the test database at the newest migrations for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
