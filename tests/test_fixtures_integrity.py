"""The demo data is a faithful transcription of seed 000, entry by entry."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from audits.demo import DEMO_USERS, load_demo
from audits.models import Audit, User
from audits.roles import role_of
from findings.models import Finding
from remediation.models import RemediationEntry

EXPECTED = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "audit_000_expected.json").read_text("utf-8")
)


@pytest.fixture
def seed_audit(db) -> Audit:
    load_demo()
    return Audit.objects.get(fiscal_year=2020, theme="情報セキュリティの管理について")


def test_seed_000_counts_per_kind_and_section(seed_audit):
    counts = Counter(
        (f.kind.code, f.section.number)
        for f in seed_audit.findings.select_related("kind", "section")
    )
    expected = {
        (kind, sec): n for kind, per in EXPECTED["counts"].items() for sec, n in per.items() if n
    }
    assert dict(counts) == expected


def test_seed_000_every_finding_has_its_entries_in_order(seed_audit):
    findings = list(
        seed_audit.findings.in_print_order()
        .select_related("kind", "section", "viewpoint", "parent__viewpoint")
        .prefetch_related("entries__status")
    )
    actual = [
        {
            "kind": f.kind.code,
            "section": f.section.number,
            "path": f.label_path,
            "entries": [[e.status.name, e.entry_date.isoformat()] for e in f.entries.all()],
        }
        for f in findings
    ]
    assert actual == EXPECTED["findings"]


def test_seed_000_parent_with_sub_items_has_no_entries_of_its_own(seed_audit):
    parent = seed_audit.findings.get(kind__code="iken", label="③", viewpoint__number="(5)")
    assert not parent.entries.exists()
    assert [c.label for c in parent.children.order_by("sort_order")] == ["ア", "イ"]


def test_seed_000_as_of_first_round_shows_3_1_ongoing(seed_audit):
    import datetime

    finding = Finding.objects.with_status(as_of=datetime.date(2021, 9, 30)).get(
        audit=seed_audit, kind__code="shiteki", label="①", viewpoint__number="(3)"
    )
    assert finding.current_status.name == "継続努力"


def test_loading_the_demo_twice_adds_nothing(seed_audit):
    before = (
        Audit.objects.count(),
        Finding.objects.count(),
        RemediationEntry.objects.count(),
        User.objects.count(),
    )
    load_demo()
    after = (
        Audit.objects.count(),
        Finding.objects.count(),
        RemediationEntry.objects.count(),
        User.objects.count(),
    )
    assert before == after


def test_demo_users_have_their_roles_and_passwords(seed_audit):
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.check_password(demo.password)
        assert role_of(user) == demo.role


def test_second_demo_audit_has_a_different_shape(seed_audit):
    other = Audit.objects.exclude(pk=seed_audit.pk).get(fiscal_year=2016)
    assert other.systems.count() >= 3
    assert other.findings.exclude(kind__code__in=["shiteki", "iken", "risk"]).exists()
    assert RemediationEntry.objects.filter(finding__audit=other).exists()


def test_key_risk_demo_audit_holds_the_other_shapes(seed_audit):
    shaped = Audit.objects.get(fiscal_year=2023)
    assert shaped.kinds_label == "財務監査・行政監査"
    assert shaped.period_start is None
    assert shaped.audited_departments.count() == 5
    assert shaped.key_risks.count() == 4
    assert shaped.viewpoints.filter(number="ア").count() == 4
    assert shaped.findings.filter(subclass__name="是正").exists()
    assert shaped.findings.filter(subclass__name="改善").exists()
    assert all(f.viewpoint_links.count() == 1 for f in shaped.findings.all())
