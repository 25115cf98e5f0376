"""Data migrations carry existing audits over unchanged: an audit's one kind becomes its
list of kinds, comma-joined external auditors one per line, and the fixed 是正 / 改善
request type a configurable sub-class of the finding's class; the old 操作記録 (Activity)
rows become lines of the audit log under their finding."""

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


# Runs after the test above (same module): its final flush empties the vocabulary, which
# the test above needs as the migrations made it.

ACTIVITY_BEFORE = [
    ("audits", "0006_remove_audit_kind"),
    ("history", "0002_append_only_triggers"),
    ("findings", "0004_remove_finding_request_type"),
    ("remediation", "0002_append_only_trigger"),
]
ACTIVITY_AFTER = [
    ("audits", "0009_activity_moved_to_history"),
    ("history", "0003_carry_over_activity"),
]


@pytest.mark.django_db(transaction=True)
def test_activity_rows_become_log_lines_under_their_finding():
    old = _migrate(ACTIVITY_BEFORE)
    User = old.get_model("audits", "User")
    auditor = User.objects.create(username="kansa", display_name="監査 太郎")
    # get_or_create: an earlier transactional test may have flushed the vocabulary.
    kind, _ = old.get_model("audits", "AuditKind").objects.get_or_create(name="行政監査")
    audit = old.get_model("audits", "Audit").objects.create(fiscal_year=2020, theme="テーマ")
    audit.kinds.add(kind)
    finding = old.get_model("findings", "Finding").objects.create(
        audit=audit,
        kind=old.get_model("findings", "FindingKind").objects.get_or_create(
            code="shiteki", defaults={"name": "指摘"}
        )[0],
        body="本文",
    )
    entry = old.get_model("remediation", "RemediationEntry").objects.create(
        finding=finding,
        status=old.get_model("remediation", "RemediationStatus").objects.get_or_create(
            code="keizoku", defaults={"name": "継続努力"}
        )[0],
        entry_date=datetime.date(2021, 9, 30),
        content="対応中",
    )
    Activity = old.get_model("audits", "Activity")
    at = datetime.datetime(2021, 10, 1, 9, 0, tzinfo=datetime.UTC)
    rows = [
        ("監査を作成", "audits.audit", audit.pk, "令和2年度 行政監査「テーマ」"),
        ("指摘事項を登録", "findings.finding", finding.pk, "① 件名"),
        ("措置を記録", "remediation.remediationentry", entry.pk, "① 件名 【継続努力】2021-09-30"),
    ]
    for action, target_type, target_id, summary in rows:
        Activity.objects.create(
            actor=auditor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            summary=summary,
        )
    Activity.objects.update(at=at)

    new = _migrate(ACTIVITY_AFTER)
    LogEntry = new.get_model("history", "LogEntry")
    # Only the carried-over lines: the reference rows ensured before the test are logged too.
    lines = list(LogEntry.objects.filter(source="migrated").order_by("id"))
    assert [(x.activity, x.object_id, x.finding_id) for x in lines] == [
        ("監査を作成", audit.pk, None),
        ("指摘事項を登録", finding.pk, finding.pk),
        ("措置を記録", entry.pk, finding.pk),
    ]
    assert {(x.action, x.source, x.actor_id, x.timestamp) for x in lines} == {
        (9, "migrated", auditor.pk, at)
    }
    assert lines[2].additional_data == {"summary": "① 件名 【継続努力】2021-09-30"}
    assert [x.content_type.model for x in lines] == ["audit", "finding", "remediationentry"]
    tables = connection.introspection.table_names()
    assert "audits_activity" not in tables


def _latest_but(app: str, name: str) -> list[tuple[str, str]]:
    """Every app at its newest migration, `app` at `name` (so the other apps' models in
    the migration state are today's)."""
    executor = MigrationExecutor(connection)
    leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] != app]
    return [*leaves, (app, name)]


SEARCH_BEFORE = ("findings", "0004_remove_finding_request_type")
SEARCH_AFTER = ("findings", "0005_finding_search_text")


@pytest.mark.django_db(transaction=True)
def test_existing_findings_get_their_search_text_and_postgresql_its_trigram_index():
    ensure_reference_data()
    old = _migrate(_latest_but(*SEARCH_BEFORE))
    audit = old.get_model("audits", "Audit").objects.create(fiscal_year=2020, theme="テーマ")
    risk = old.get_model("audits", "KeyRisk").objects.create(
        audit=audit, number="1", title="漏えい"
    )
    viewpoint = old.get_model("audits", "Viewpoint").objects.create(
        audit=audit, number="(1)", text="サーバー", key_risk=risk
    )
    further = old.get_model("audits", "Viewpoint").objects.create(
        audit=audit, number="(2)", text="ネットワーク"
    )
    kind, _ = old.get_model("findings", "FindingKind").objects.get_or_create(
        code="shiteki", defaults={"name": "指摘"}
    )
    finding = old.get_model("findings", "Finding").objects.create(
        audit=audit, kind=kind, title="ＵＳＢ", body="本文", viewpoint=viewpoint
    )
    old.get_model("findings", "FindingViewpoint").objects.create(finding=finding, viewpoint=further)
    status, _ = old.get_model("remediation", "RemediationStatus").objects.get_or_create(
        code="keizoku", defaults={"name": "継続努力"}
    )
    old.get_model("remediation", "RemediationEntry").objects.create(
        finding=finding, status=status, entry_date=datetime.date(2021, 9, 30), content="ｻｰﾊﾞｰ"
    )

    new = _migrate(_latest_but(*SEARCH_AFTER))
    migrated = new.get_model("findings", "Finding").objects.get(pk=finding.pk)
    assert migrated.search_text == "usb\n本文\nさーば\n漏えい\nねっとわーく\nさーば"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'finding_search_text_trgm'"
            )
            assert "gin_trgm_ops" in cursor.fetchone()[0]
    _migrate(_latest_but(*SEARCH_BEFORE))  # and back again
    assert "search_text" not in {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "findings_finding"
        )
    }


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Leave the test database at the newest migrations for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
