"""The follow-up part of the demo (load_demo): two reporting rounds and entries in
every state, so a new user finds a deadline, a review queue and a returned report.

- 「令和7年9月30日現在の措置状況の照会」 over the key-risk audit (令和5年度), deadline
  past: 指摘事項3 was submitted as 措置済 and returned with a reason, 指摘事項4 waits
  for review, 意見1 (ICT戦略課) was never answered and is overdue.
- 「現在の措置状況の照会」 over the seed-000 audit (令和2年度), deadline two weeks ahead:
  what ICT戦略課 still owes.
Idempotent: a round that exists (by name) is left alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audits.demo import staff_for
from audits.models import Audit, User
from findings.models import Finding
from followup.models import ReportingRound
from followup.services import open_round
from remediation.models import RemediationEntry, RemediationStatus
from remediation.services import record_entry, review_entry

PAST_ROUND = "令和7年9月30日現在の措置状況の照会"
CURRENT_ROUND = "現在の措置状況の照会（デモ）"
RETURN_REASON = (
    "訓練の実施記録が添付されていません。実施日と参加者がわかる記録を添えて、"
    "あらためて報告してください。"
)


@transaction.atomic
def load_followup_demo(auditor: User) -> None:
    statuses = {s.code: s for s in RemediationStatus.objects.all()}
    shaped = Audit.objects.filter(fiscal_year=2023, theme="市民生活部の事務の執行について").first()
    if shaped is not None and not ReportingRound.objects.filter(name=PAST_ROUND).exists():
        open_round(
            name=PAST_ROUND,
            audit=shaped,
            base_date=datetime.date(2025, 9, 30),
            deadline=datetime.date(2025, 10, 15),
            user=auditor,
        )
        findings = {f.label: f for f in Finding.objects.filter(audit=shaped)}
        returned = _post(
            findings["指摘事項3"],
            statuses["sochizumi"],
            "令和7年9月に障害時の手作業による受付手順を定め、課内に周知した。",
        )
        review_entry(returned, decision="returned", reason=RETURN_REASON, user=auditor)
        _post(
            findings["指摘事項4"],
            statuses["keizoku"],
            "随意契約の理由の記載例を作成し、令和7年度の契約から具体的に記録している。委託先の確認は次回の契約更新時に行う。",
        )
    seed = Audit.objects.filter(fiscal_year=2020, theme="情報セキュリティの管理について").first()
    if seed is not None and not ReportingRound.objects.filter(name=CURRENT_ROUND).exists():
        today = timezone.localdate()
        open_round(
            name=CURRENT_ROUND,
            audit=seed,
            base_date=today.replace(day=1) - datetime.timedelta(days=1),
            deadline=today + datetime.timedelta(days=14),
            user=auditor,
        )


def _post(finding: Finding, status: RemediationStatus, content: str) -> RemediationEntry:
    return record_entry(
        finding,
        status=status,
        entry_date=datetime.date(2025, 9, 30),
        content=content,
        user=staff_for(finding.departments.all()[0]),
    )
