"""Personas and small factories. Every test builds the little data it needs."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable

import pytest
from django.contrib.auth.models import Group
from django.db.backends.base.operations import BaseDatabaseOperations

from audits.models import Audit, AuditKind, Department, Membership, Section, User, Viewpoint
from audits.roles import Role
from audits.services import add_section, add_viewpoint, create_audit
from findings.models import Finding, FindingKind
from findings.services import add_finding
from remediation.models import RemediationEntry, RemediationStatus
from remediation.services import record_entry, review_entry

PASSWORD = "test-pass-12345"


# Rows of these tables cannot be deleted or truncated: database triggers refuse it
# (history 0002, remediation 0005). See flush_past_append_only_triggers.
APPEND_ONLY_TABLES = (
    "history_logentry",
    "remediation_remediationentry",
    "remediation_evidence",
    "remediation_entryreview",
)


def _flush_with_triggers_disabled(self: BaseDatabaseOperations, sql_list: Iterable[str]) -> None:
    """Empty the tables as Django's flush does, with the append-only triggers off for that
    one transaction. PostgreSQL: ALTER TABLE … DISABLE TRIGGER, which only the table owner
    may run (the test user owns the test database; production's app role owns nothing).
    SQLite: drop the DELETE triggers and recreate them from their own stored SQL."""
    from django.db import transaction

    connection = self.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor)) & set(APPEND_ONLY_TABLES)
        if connection.vendor == "postgresql":
            for table in sorted(tables):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for sql in sql_list:
                cursor.execute(sql)
            for table in sorted(tables):
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        placeholders = ", ".join(["%s"] * len(tables)) or "''"
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({placeholders}) AND name LIKE '%%_no_delete'",
            sorted(tables),
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
        for sql in sql_list:
            cursor.execute(sql)
        for _name, sql in triggers:
            cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def flush_past_append_only_triggers():
    """Live-server (transactional) tests end with a flush of every table, which the
    append-only triggers would refuse. Only this test-only flush path sets them aside."""
    original = BaseDatabaseOperations.execute_sql_flush
    BaseDatabaseOperations.execute_sql_flush = _flush_with_triggers_disabled  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness only slows the suite; the hasher is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path_factory):
    """Every test stores evidence files (and background report files) in a temporary
    directory, never in var/.
    Changing STORAGES makes Django drop its cached storage backends, and the evidence
    field asks storages["evidence"] on every call."""
    location = tmp_path_factory.mktemp("evidence")
    staging = tmp_path_factory.mktemp("staging")
    exports = tmp_path_factory.mktemp("exports")
    evidence = settings.STORAGES["evidence"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": str(location)}},
        "staging": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": str(staging)}},
        "exports": {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": str(exports)}},
    }
    return location


@pytest.fixture(autouse=True)
def reference_data_after_flushes(request):
    """A transactional test starts after another one's flush, which also removed the rows
    the migrations made (role groups, vocabularies); serialized rollback does not bring
    them back reliably, so they are ensured here (idempotent) before any other fixture."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from audits.services import ensure_reference_data

        ensure_reference_data()


_seq = itertools.count(1)


@pytest.fixture
def soumu(db) -> Department:
    return Department.objects.create(code="soumu", name="総務部")


@pytest.fixture
def ict(soumu) -> Department:
    return Department.objects.create(code="ict", name="ICT戦略課", parent=soumu)


@pytest.fixture
def jinji(soumu) -> Department:
    return Department.objects.create(code="jinji", name="人事課", parent=soumu)


@pytest.fixture
def kansaka(db) -> Department:
    return Department.objects.create(code="kansaka", name="監査課")


def make_user(
    role: Role | None, department: Department | None, username: str | None = None
) -> User:
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}",
        password=PASSWORD,
        department=department,
        display_name=f"{role.label if role else '無ロール'}の人",
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
        if department is not None:
            # Access reads the dated memberships; the legacy path (a department and no
            # membership at all) is tested on its own in tests/organisation.
            Membership.objects.create(
                user=user,
                department=department,
                role=role.value,
                valid_from=datetime.date(2000, 4, 1),
            )
    return user


@pytest.fixture
def auditor(kansaka) -> User:
    return make_user(Role.AUDITOR, kansaka, "auditor")


@pytest.fixture
def ict_staff(ict) -> User:
    return make_user(Role.DEPARTMENT_STAFF, ict, "ict_staff")


@pytest.fixture
def jinji_staff(jinji) -> User:
    return make_user(Role.DEPARTMENT_STAFF, jinji, "jinji_staff")


@pytest.fixture
def manager(soumu) -> User:
    return make_user(Role.MANAGER, soumu, "manager")


@pytest.fixture
def administrator(kansaka) -> User:
    return make_user(Role.ADMINISTRATOR, kansaka, "administrator")


@pytest.fixture
def committee(kansaka) -> User:
    """A 監査委員: reads everything, changes nothing."""
    return make_user(Role.AUDIT_COMMITTEE, kansaka, "committee")


@pytest.fixture
def kinds(db) -> dict[str, FindingKind]:
    return {k.code: k for k in FindingKind.objects.all()}


@pytest.fixture
def statuses(db) -> dict[str, RemediationStatus]:
    return {s.code: s for s in RemediationStatus.objects.all()}


@pytest.fixture
def audit(ict, auditor) -> Audit:
    return create_audit(
        fiscal_year=2020,
        kinds=[AuditKind.objects.get(name="行政監査")],
        theme="情報セキュリティの管理について",
        audited_departments=[ict],
        period_start=datetime.date(2021, 2, 10),
        user=auditor,
    )


@pytest.fixture
def section(audit, auditor) -> Section:
    return add_section(
        audit,
        number="1",
        title="想定されるリスクからの着眼点に着目して行った監査の結果",
        user=auditor,
    )


@pytest.fixture
def viewpoint(audit, auditor) -> Viewpoint:
    return add_viewpoint(
        audit,
        number="(3)",
        text="情報システムのサーバ等の管理は適切になされているか。",
        user=auditor,
    )


@pytest.fixture
def make_finding(audit, section, viewpoint, kinds, ict, auditor) -> Callable[..., Finding]:
    def make(**overrides: object) -> Finding:
        values: dict[str, object] = {
            "kind": kinds["shiteki"],
            "section": section,
            "viewpoint": viewpoint,
            "label": "①",
            "title": "サーバ室内の整理整頓について",
            "body": "不用なものは廃棄すること。",
            "departments": [ict],
            "user": auditor,
        }
        values.update(overrides)
        return add_finding(audit, **values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def finding(make_finding: Callable[..., Finding]) -> Finding:
    return make_finding()


@pytest.fixture
def reviewer(kansaka) -> User:
    """The audit office member who accepts the entries tests post (see make_entry)."""
    return make_user(Role.AUDITOR, kansaka, "reviewer")


@pytest.fixture
def make_entry(statuses, ict_staff, reviewer) -> Callable[..., RemediationEntry]:
    """An entry as it stands after review: accepted unless review=None (waiting) or
    "returned"."""

    def make(
        finding: Finding,
        status: str = "keizoku",
        day: datetime.date = datetime.date(2021, 9, 30),
        content: str = "整理整頓を行った。",
        user: User | None = None,
        review: str | None = "accepted",
    ) -> RemediationEntry:
        entry = record_entry(
            finding,
            status=statuses[status],
            entry_date=day,
            content=content,
            user=user or ict_staff,
        )
        if review is not None:
            review_entry(
                entry,
                decision=review,
                reason="根拠資料を添えてください。" if review == "returned" else "",
                user=reviewer,
            )
        return entry

    return make


@pytest.fixture(autouse=True)
def second_factor_off(settings):
    """Most tests sign in with force_login and are not about the second factor; the tests
    in tests/accounts turn it on where they test it."""
    settings.MFA_REQUIRED = False
