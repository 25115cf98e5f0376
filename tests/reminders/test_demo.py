"""The demo: after a round's deadline, the dry run shows one digest per person who owes
something or reviews, and none for the others."""

from __future__ import annotations

import datetime
import io

from django.core import mail
from django.core.management import call_command

from audits.demo import DEMO_USERS, load_demo
from audits.models import Audit, User
from followup.services import open_round
from reminders.models import DigestSent


def test_demo_users_have_example_addresses(db):
    load_demo()
    for demo in DEMO_USERS:
        assert User.objects.get(username=demo.username).email == f"{demo.username}@example.lg.jp"


def test_dry_run_on_the_demo_after_a_deadline(db):
    load_demo()
    audit = Audit.objects.get(theme__contains="情報セキュリティの管理")
    round_ = open_round(
        name="デモの照会",
        audit=audit,
        base_date=datetime.date(2021, 9, 30),
        deadline=datetime.date(2021, 10, 15),
        user=User.objects.get(username="kansa"),
    )
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--today", "2021-10-16", stdout=out)
    output = out.getvalue()
    assert output.count("宛先: 情報 花子 <ict@example.lg.jp>") == 1
    assert output.count("宛先: 監査 太郎 <kansa@example.lg.jp>") == 1
    assert output.count("宛先: 管理者 四郎 <admin@example.lg.jp>") == 1
    assert "jinji@example.lg.jp" not in output  # 人事課 owes nothing in this round
    assert "kanri@example.lg.jp" not in output
    owed = round_.findings.count()
    assert f"期限超過 {owed}件" in output
    assert mail.outbox == []
    assert not DigestSent.objects.exists()


def test_dry_run_on_the_loaded_demo_a_day_after_the_past_rounds_deadline(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--today", "2025-10-16", stdout=out)
    output = out.getvalue()
    digests = output.split("=" * 72)[1:]
    by_address = {d.split("<", 1)[1].split(">", 1)[0]: d for d in digests}
    assert set(by_address) == {
        "admin@example.lg.jp",
        "kansa@example.lg.jp",
        "ict@example.lg.jp",
        "staff-shimin@example.lg.jp",
    }
    assert "意見1 システムの保守契約の見直しについて" in by_address["ict@example.lg.jp"]
    assert "期限超過 1件" in by_address["ict@example.lg.jp"]
    citizen = by_address["staff-shimin@example.lg.jp"]
    assert "［差戻し］" in citizen and "訓練の実施記録が添付されていません" in citizen
    assert "意見1" not in citizen
    office = by_address["kansa@example.lg.jp"]
    assert "審査待ちの措置: 1件" in office and "指摘事項4" in office
    assert "総務部 ICT戦略課: 1件" in office and "市民生活部 市民課: 1件" in office
    assert mail.outbox == []
