"""The demo data is a faithful transcription of seed 000, entry by entry."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from audits.demo import DEMO_USERS, load_demo
from audits.models import Audit, User, text_lines
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


def test_seed_001_holds_the_whole_audit_report(seed_audit):
    """Seed 001 (荒川区情報セキュリティ監査報告書(概要版)): every part of the report is data."""
    arakawa = Audit.objects.get(fiscal_year=2016, report_title__startswith="荒川区")

    assert arakawa.report_title == "荒川区情報セキュリティ監査報告書(概要版)"
    assert arakawa.report_date_text == "平成29年1月"  # the seed gives the month only
    assert arakawa.purpose.startswith("平成29年7月に社会保障・税番号制度")
    assert len(text_lines(arakawa.theme)) == 2
    assert text_lines(arakawa.method)[0] == "関係規程及び監査証拠のレビュー"
    assert len(text_lines(arakawa.method)) == 3
    assert [s.name for s in arakawa.systems.order_by("sort_order", "id")] == [
        "税務システム", "税滞納整理支援システム", "住民記録システム",
        "住民基本台帳ネットワークシステム", "戸籍システム",
    ]  # fmt: skip
    assert [(str(s.date), s.category) for s in arakawa.schedule.all()] == [
        ("2016-09-20", "実施方法打合せ"),
        ("2016-10-26", "実地監査 事前打合せ"),
        ("2016-11-30", "実地監査"),
        ("2017-01-26", "監査報告会"),
    ]
    assert arakawa.auditor_lines == [
        "都市情報システム研究所 茶谷 達雄",
        "西城技術士事務所 西城 秀雄",
    ]
    assert [r.title for r in arakawa.key_risks.all()] == [
        "組織的・人的管理",
        "技術的管理",
        "物理的管理",
    ]
    assert [v.number for v in arakawa.viewpoints.all()] == [f"({n})" for n in range(1, 19)]
    assert len(text_lines(arakawa.standards_applied)) == 11
    assert len(text_lines(arakawa.standards_reference)) == 4
    comments = list(arakawa.overall_comments.all())
    assert [c.heading for c in comments] == [
        "全体", "監査対象ドキュメント", "業務委託契約にあたっての対応", "緊急時対応の組織的対応",
    ]  # fmt: skip
    assert [len(text_lines(c.body)) for c in comments] == [1, 1, 4, 3]  # paragraphs kept
    assert arakawa.commendations.count() == 4
    points = arakawa.findings.filter(kind__code="kaizen_youkyu").order_by("sort_order", "id")
    assert [f.label for f in points] == ["ア", "イ"]
    # The 措置状況 of the same audit still has its entries.
    assert RemediationEntry.objects.filter(finding__audit=arakawa).count() == 5
