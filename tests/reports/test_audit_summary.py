"""The audit report (監査報告書 / 概要版): seed 001 reproduced in the browser and as PDF,
its numbering when parts are missing, who may open it and what it costs."""

from __future__ import annotations

import datetime
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from audits.models import Audit, AuditedSystem, KeyRisk
from audits.services import add_key_risk, add_viewpoint
from reports.pdf import render_summary_pdf
from reports.summary import build_audit_summary, kana_label
from tests.reports.conftest import compact, pdf_text

pytestmark = pytest.mark.django_db

# Seed 001 (荒川区情報セキュリティ監査報告書(概要版)), every heading and item as the seed
# prints them, in order. Line breaks that are only the seed's page layout are joined.
SEED_001: list[str] = [
    "荒川区情報セキュリティ",
    "監査報告書",
    "(概要版)",
    "平成29年1月",
    "1 監査目的",
    "平成29年7月に社会保障・税番号制度における情報連携が開始します。これに伴い、特定個人"
    "情報をはじめとする重要な各種情報を取り扱う業務系システムの利用現場を対象に、情報資産の"
    "管理やセキュリティ対策が適切に行われているかを確認します。また、監査結果をもとに、業務系"
    "システム利用現場における情報セキュリティ対策のさらなる改善と徹底を図ることを目的とします。",
    "2 監査テーマ",
    "監査対象とするシステムについて、情報資産の管理状況やシステムの利用状況、情報セキュリティ"
    "対策の実施状況等を再検証し、現行の取扱い等の問題点を確認のうえ、改善方法等について助言、"
    "指導を行います。",
    "また、特定個人情報を使用する業務については、上記を確認のうえ、関係法令、基準に従い適切に"
    "管理、運用されているかどうか確認します。",
    "3 監査範囲",
    "番号 監査対象課 監査対象システム",
    "1 税務課 税務システム",
    "2 税滞納整理支援システム",
    "3 戸籍住民課 住民記録システム",
    "4 住民基本台帳ネットワークシステム",
    "5 戸籍システム",
    "4 監査方法",
    "(1) 関係規程及び監査証拠のレビュー",
    "(2) 監査対象課の執務室等の視察",
    "(3) 監査対象課の職員へのインタビュー",
    "5 監査実施日程",
    "実施日 区分 内容",
    "平成28年9月20日 実施方法打合せ 情報セキュリティ監査の実施方法",
    "平成28年10月26日 実地監査 事前打合せ 監査資料の内容等の確認",
    "平成28年11月30日 実地監査 監査証拠確認、執務室視察、職員へのインタビュー"
    "（対象課：税務課、戸籍住民課）",
    "平成29年1月26日 監査報告会 監査結果を踏まえた監査対象課への指導助言",
    "6 監査実施体制",
    "(監査人)",
    "都市情報システム研究所 茶谷 達雄",
    "西城技術士事務所 西城 秀雄",
    "7 監査項目",
    "区 分 内 容",
    "監査項目 組織的・人的管理",
    "(1) 職員の遵守事項 (2) 事故・欠陥等の報告 (3) 緊急時対応計画 (4) 外部委託 (5) 自己点検",
    "技術的管理",
    "(6) 通信ケーブルの配線 (7) 通信回線 (8) パスワードの取扱い (9) アクセス記録の管理取得等"
    " (10) アクセス制御・利用者IDの取扱い (11) 不正プログラム対策 (12) ソフトウェアの更新",
    "物理的管理",
    "(13) 情報資産の管理 (14) 機器の廃棄 (15) 機器の定期保守及び修理 (16) パソコン等の管理"
    " (17) サーバー等の機器の管理 (18) 外部記憶媒体の利用",
    "8 適用基準等",
    "(1) 適用基準",
    "ア 荒川区電子情報システム管理運営規程",
    "イ 荒川区電子情報システムに係る情報セキュリティ対策基準",
    "ウ 荒川区庁内ネットワーク利用に係るセキュリティ実施手順",
    "エ 荒川区電子情報システムに係わる緊急時対応マニュアル",
    "オ 荒川区住民基本台帳ネットワークシステム管理運営規程",
    "カ 荒川区住民基本台帳ネットワークシステムの適正管理等に関する条例",
    "キ 荒川区住民基本台帳ネットワークシステムの適正管理等に関する条例施行規則",
    "ク 荒川区個人番号の利用等に関する条例",
    "ケ 荒川区個人番号の利用等に関する条例施行規則",
    "コ 荒川区特定個人情報取扱基準",
    "サ 荒川区特定個人情報取扱手順",
    "(2) 参考基準",
    "ア 地方公共団体における情報セキュリティ監査に関するガイドライン(総務省)",
    "イ 地方公共団体における情報セキュリティポリシーに関するガイドライン(総務省)",
    "ウ クラウドサービス利用のための情報セキュリティマネジメントガイドライン(経済産業省)",
    "エ 特定個人情報の適正な取扱いに関するガイドライン（行政機関等・地方公共団体等編"
    "（個人情報保護委員会））",
    "9 監査結果",
    "(1) 総評",
    "ア 全体",
    "監査の結果は、情報セキュリティの要件としての機密性、完全性、可用性の面から全体として、"
    "適正に管理していると見ることができます。しかし、直ちに情報セキュリティの事故につながる"
    "内容ではありませんが、一部に改善が求められるところがあります。今後も、業務執行時に潜む"
    "リスクについて十分理解した上で、引き続き情報セキュリティ対策を徹底されることを期待する"
    "ところです。",
    "イ 監査対象ドキュメント",
    "監査対象となった関係ドキュメントは、多種多量にわたっています。これらの整備状況は一般的に"
    "良好で、業務主管課と情報システム部門との協力により、よく整備されているといえます。これら"
    "の整備過程で、担当部門の情報セキュリティに対する内部監査的要素や普及啓発効果も考えられ、"
    "推奨されるべき方向といえます。",
    "ウ 業務委託契約にあたっての対応",
    "区における業務委託契約の標準的条項は、現在、再委託は原則禁止としていますが、IT業界の"
    "産業構造から再委託は避けられない状況といえます。このため業務委託契約にあたっては、再委託"
    "についての対応を検討していく必要があるといえます。",
    "具体的には、マイナンバー制度のもとでの再委託の要件として「委託者の許諾を得た場合に限り、"
    "再委託をすることができる」とし、又、再委託先への「間接的な監督義務を負うこととなる」と"
    "しています。特に、再委託の許諾を与える際には、特定個人情報の適切な安全管理が図られること"
    "を確認した上で再委託の諾否を判断しなければならないとしていることに留意が必要です。",
    "更に、この5月から施行される改正個人情報保護法においても、そのガイドラインで、再委託の"
    "場合、「委託先から事前報告を受け又は承認を行うこと、及び委託先を通じて又は必要に応じて"
    "自らが、定期的に監査を実施すること等」により、委託先が再委託先に対して本条の委託先の監督"
    "を適切に果たすこと、及び再委託先が適切に安全管理措置を講ずることを十分に確認するよう"
    "求めている状況です。",
    "これらのことから業務委託契約にあたって、再委託に係る事項を明確にし、その適正化について"
    "検討が求められるところです。",
    "エ 緊急時対応の組織的対応",
    "緊急対策の中心が情報システムに偏重しているように見られる点が懸念されるところです。現在の"
    "事故対策は、従来のように単に情報システムにとどまらず、業務全般に及ぼすようになってきて"
    "おり、極めて多様な対応策が求められるといえます。",
    "具体的には、これまでのセキュリティ事故の調査分析や復旧にとどまらず、庁内関係システムとの"
    "調整、業務が中断したときの影響分析と再開計画、国や都等公的部門への報告と調整、住民や"
    "マスコミ等への広報、復旧に伴う短期・長期の必要な財政措置と法的対応、業務委託事業者・"
    "セキュリティ専門事業者との調整、再発防止策等々です。",
    "このためには、事故発見時点の早期から経営層や関係部門長からなる緊急対策会議(仮称)を立ち"
    "上げて、事故対策の万全と被害の最小化に対応する必要があるところです。",
    "(2) 推奨する点",
    "ア 利用者IDについて、台帳が作成されており、適正に管理されていました。また、人事異動等に"
    "より、システムにアクセスする必要がなくなった場合に対象となる利用者IDの削除を迅速に"
    "行っており、利用権限のない者からの不正アクセスに対する対応が適正にとられていました。",
    "イ 重要な情報資産について、台帳で適正に管理するとともに、その取り扱い状況が業務フロー図"
    "により明らかにされていました。",
    "ウ システムのログインは生体認証又はIDとパスワードによる認証が必須とされていました。",
    "エ 端末機から重要データの持ち出しができないよう外部記録装置の利用を制限し、庁内ネット"
    "ワークを介して管理するための仕組みが組み込まれていました。",
    "(3) 改善を求める点",
    "ア 現在、パスワードを1年に1回の変更とされていますが、定期的に変更する運用へ切り替える"
    "よう検討してください。",
    "イ 情報資産管理台帳の記載内容について、作成者によって記載が異なる点がみられるので、"
    "統一性の確保について検討される必要があります。",
]

SEED_001_HEADINGS = [
    "1 監査目的",
    "2 監査テーマ",
    "3 監査範囲",
    "4 監査方法",
    "5 監査実施日程",
    "6 監査実施体制",
    "7 監査項目",
    "8 適用基準等",
    "(1) 適用基準",
    "(2) 参考基準",
    "9 監査結果",
    "(1) 総評",
    "(2) 推奨する点",
    "(3) 改善を求める点",
]


@pytest.fixture
def seed_001(seed_report_user) -> Audit:
    return Audit.objects.get(fiscal_year=2016, report_title__startswith="荒川区")


def _page_text(response) -> str:
    """The report as a reader sees it: the article only (not the breadcrumbs), tags out."""
    content = response.content.decode()
    article = content[content.index("<article") :]
    return html.unescape(re.sub(r"<[^>]+>", " ", article))


def _assert_in_order(haystack: str, needles: list[str]) -> None:
    flat = compact(haystack)
    position = 0
    for needle in needles:
        found = flat.find(compact(needle), position)
        assert found >= 0, f"{needle!r} missing after …{flat[max(0, position - 40) : position]}…"
        position = found + len(compact(needle))


# --- seed 001 reproduced ------------------------------------------------------------------


def test_seed_001_structure_numbers_the_parts_as_the_seed(seed_report_user, seed_001):
    summary = build_audit_summary(seed_report_user, seed_001)

    assert summary.title == "荒川区情報セキュリティ監査報告書(概要版)"
    assert summary.date_text == "平成29年1月"
    assert summary.headings == SEED_001_HEADINGS


def test_seed_001_page_prints_every_heading_and_item_in_order(client, seed_report_user, seed_001):
    client.force_login(seed_report_user)

    response = client.get(reverse("audit_summary", args=[seed_001.pk]))

    assert response.status_code == 200
    _assert_in_order(_page_text(response), SEED_001)


def test_seed_001_pdf_prints_every_heading_and_item_in_order(seed_report_user, seed_001):
    text = pdf_text(render_summary_pdf(build_audit_summary(seed_report_user, seed_001)))

    _assert_in_order(text, SEED_001)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for heading in SEED_001_HEADINGS:
        assert heading in lines, heading


def test_seed_001_pdf_is_a4_portrait_with_page_numbers(seed_report_user, seed_001):
    import io

    from pypdf import PdfReader

    reader = PdfReader(
        io.BytesIO(render_summary_pdf(build_audit_summary(seed_report_user, seed_001)))
    )
    pages = len(reader.pages)
    assert pages >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    for number, page in enumerate(reader.pages, 1):
        assert f"{number} / {pages}" in page.extract_text()


def test_pdf_download_is_the_same_report_with_a_japanese_file_name(
    client, seed_report_user, seed_001
):
    client.force_login(seed_report_user)

    response = client.get(reverse("audit_summary_export", args=[seed_001.pk, "pdf"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "filename*=UTF-8''%E7%9B%A3%E6%9F%BB%E5%A0%B1%E5%91%8A%E6%9B%B8"
        in (response["Content-Disposition"])
    )  # 監査報告書…
    _assert_in_order(pdf_text(response.content), SEED_001_HEADINGS)


def test_audit_page_links_to_the_report(client, seed_report_user, seed_001):
    client.force_login(seed_report_user)

    response = client.get(reverse("audit_detail", args=[seed_001.pk]))

    assert reverse("audit_summary", args=[seed_001.pk]) in response.content.decode()
    assert reverse("audit_summary_export", args=[seed_001.pk, "pdf"]) in (response.content.decode())


# --- numbering, grouping and labels ----------------------------------------------------------


def test_parts_the_audit_leaves_empty_are_left_out_and_the_rest_renumbered(
    manager, audit, make_finding
):
    make_finding(label="①", title="サーバ室の整理")

    summary = build_audit_summary(manager, audit)

    # No 目的, 方法, 日程, 監査人, 基準, 総評 or 推奨する点 in this audit.
    assert summary.headings == [
        "1 監査テーマ",
        "2 監査範囲",
        "3 監査項目",
        "4 監査結果",
        "(1) 指摘",
    ]
    scope = summary.parts[1]
    assert not scope.scope_has_systems  # the audited 課 alone
    assert [(row.number, row.department) for row in scope.scope] == [(1, "ICT戦略課")]


def test_only_reference_standards_are_numbered_1(auditor, manager, audit):
    audit.standards_reference = "地方公共団体における情報セキュリティ監査に関するガイドライン\n\n"
    audit.save()

    summary = build_audit_summary(manager, audit)

    part = next(p for p in summary.parts if p.title == "適用基準等")
    assert [s.heading for s in part.subparts] == ["(1) 参考基準"]
    assert [i.label for i in part.subparts[0].items] == ["ア"]  # the blank line is no item


def test_scope_prints_each_department_once_per_run_of_its_systems(manager, audit, ict, jinji):
    for order, (department, name) in enumerate(
        [(ict, "庁内LAN"), (ict, "グループウェア"), (jinji, "人事給与システム"), (None, "共通基盤")]
    ):
        AuditedSystem.objects.create(
            audit=audit, department=department, name=name, sort_order=order
        )

    summary = build_audit_summary(manager, audit)

    scope = next(p for p in summary.parts if p.title == "監査範囲")
    assert [(r.number, r.department, r.system, r.department_rows) for r in scope.scope] == [
        (1, "ICT戦略課", "庁内LAN", 2),
        (2, "ICT戦略課", "グループウェア", 0),
        (3, "人事課", "人事給与システム", 1),
        (4, "", "共通基盤", 1),
    ]


def test_items_outside_any_category_follow_the_categories(auditor, manager, audit, viewpoint):
    risk = add_key_risk(audit, number="1", title="技術的管理", user=auditor)
    add_viewpoint(audit, number="(4)", text="パスワードの取扱い", key_risk=risk, user=auditor)

    summary = build_audit_summary(manager, audit)

    part = next(p for p in summary.parts if p.title == "監査項目")
    assert [(c.title, [i.label for i in c.items]) for c in part.categories] == [
        ("技術的管理", ["(4)"]),
        ("", ["(3)"]),
    ]
    assert KeyRisk.objects.filter(audit=audit).count() == 1


def test_overall_comment_alone_and_without_heading_has_no_label(manager, audit):
    audit.overall_comments.create(
        body="全体として適正に管理されていました。\n一部に改善点があります。"
    )

    summary = build_audit_summary(manager, audit)

    results = next(p for p in summary.parts if p.title == "監査結果")
    (item,) = results.subparts[0].items
    assert (item.label, item.heading, item.paragraphs) == (
        "",
        "",
        ("全体として適正に管理されていました。", "一部に改善点があります。"),
    )


def test_kana_labels_run_in_order_and_never_repeat():
    labels = [kana_label(i) for i in range(60)]

    assert labels[:5] == ["ア", "イ", "ウ", "エ", "オ"]
    assert labels[10] == "サ"
    assert len(set(labels)) == 60


def test_schedule_dates_are_printed_in_wareki(manager, audit):
    audit.schedule.create(date=datetime.date(2019, 5, 1), category="実地監査")

    summary = build_audit_summary(manager, audit)

    part = next(p for p in summary.parts if p.title == "監査実施日程")
    assert part.schedule[0].date_text == "令和元年5月1日"


def test_month_only_report_date_prints_no_day(manager, audit):
    audit.report_date = datetime.date(2017, 1, 1)
    audit.report_date_precision = "month"
    audit.save()
    assert build_audit_summary(manager, audit).date_text == "平成29年1月"

    audit.report_date_precision = "day"
    audit.save()
    assert build_audit_summary(manager, audit).date_text == "平成29年1月1日"


def test_report_title_falls_back_to_year_and_kind(manager, audit):
    assert build_audit_summary(manager, audit).title == "令和2年度 行政監査報告書"


# --- who may read it ------------------------------------------------------------------------


def test_staff_read_their_audits_report_without_other_departments_findings(
    client, ict_staff, audit, make_finding, jinji
):
    make_finding(label="①", body="ICT戦略課あての指摘。")
    make_finding(label="②", body="人事課だけあての指摘。", departments=[jinji])
    client.force_login(ict_staff)

    page = client.get(reverse("audit_summary", args=[audit.pk]))
    pdf = client.get(reverse("audit_summary_export", args=[audit.pk, "pdf"]))

    assert page.status_code == pdf.status_code == 200
    for text in (_page_text(page), pdf_text(pdf.content)):
        assert "ICT戦略課あての指摘。" in compact(text)
        assert "人事課だけあての指摘。" not in compact(text)


@pytest.mark.parametrize("name", ["audit_summary", "audit_summary_export"])
def test_staff_of_another_department_get_404(client, jinji_staff, audit, make_finding, name):
    make_finding(label="①")
    client.force_login(jinji_staff)
    args = [audit.pk] if name == "audit_summary" else [audit.pk, "pdf"]

    assert client.get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/reports/audits/999999/summary/",
        "/reports/audits/999999/summary.pdf",
        "/reports/audits/{pk}/summary.xlsx",
        "/reports/audits/{pk}/summary.docx",
        "/reports/audits/{pk}/summary.",
        "/reports/audits/99999999999999999999/summary/",
    ],
)
def test_malformed_or_unknown_urls_are_404_not_500(client, manager, audit, path):
    client.force_login(manager)

    assert client.get(path.format(pk=audit.pk)).status_code == 404


def test_post_is_refused(client, manager, audit):
    client.force_login(manager)

    assert client.post(reverse("audit_summary", args=[audit.pk])).status_code == 405


# --- what it costs --------------------------------------------------------------------------

# Every request: session, the user with their 所属, the user's groups (role).
PER_REQUEST = 3


@pytest.mark.parametrize("count", [1, 30])
def test_page_query_count_does_not_grow_with_items(
    client, manager, django_assert_num_queries, audit, auditor, make_finding, ict, count
):
    risk = add_key_risk(audit, number="1", title="技術的管理", user=auditor)
    for n in range(count):
        AuditedSystem.objects.create(audit=audit, department=ict, name=f"システム{n}")
        audit.schedule.create(date=datetime.date(2021, 2, 1), category=f"区分{n}")
        audit.overall_comments.create(heading=f"見出し{n}", body="本文")
        audit.commendations.create(text=f"推奨{n}")
        add_viewpoint(audit, number=f"({n + 10})", text="項目", key_risk=risk, user=auditor)
        make_finding(label=f"{n}", title="")
    client.force_login(manager)

    # + the audit, + its kinds (get_audit_for_user)
    # + audited departments, systems with their 課, schedule, key risks, viewpoints,
    #   overall comments, commendations, sections (one prefetch each)
    # + the findings the user may see, with kind, viewpoint, key risk and parent
    # + the past names of the audited departments (names of the audit's time)
    with django_assert_num_queries(PER_REQUEST + 2 + 8 + 1 + 1):
        response = client.get(reverse("audit_summary", args=[audit.pk]))

    assert response.status_code == 200
    assert f"推奨{count - 1}" in response.content.decode()


# --- the export command ---------------------------------------------------------------------


def test_command_writes_the_summary(seed_001, tmp_path):
    target = tmp_path / "監査報告書.pdf"

    call_command(
        "export_report", "--audit", str(seed_001.pk), "--report", "summary", "-o", str(target),
    )  # fmt: skip

    content = target.read_bytes()
    assert content.startswith(b"%PDF-")
    _assert_in_order(pdf_text(content), SEED_001)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_command_still_writes_the_sochi_report_by_default(seed_001, tmp_path):
    target = tmp_path / "r.pdf"

    call_command("export_report", "--audit", str(seed_001.pk), "-o", str(target))

    assert "措置状況等の報告" in compact(pdf_text(target.read_bytes()))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--report", "summary", "--format", "xlsx"], "xlsx"),
        (["--report", "summary", "--format", "csv"], "pdf"),
        (["--report", "summary", "--format", "html"], "html"),
        (["--report", "summary"], "--audit"),
        (["--report", "summary", "--audit", "999999"], "999999"),
        (["--report", "summary", "--audit", "abc"], "abc"),
        (["--report", "summary", "--audit", "{pk}", "--fiscal-year", "2016"], "--fiscal-year"),
        (["--report", "summary", "--audit", "{pk}", "--open-only"], "--open-only"),
        (["--report", "summary", "--audit", "{pk}", "--user", "nobody"], "nobody"),
        (["--report", "nosuch", "--audit", "{pk}"], "nosuch"),
    ],
)
def test_command_refuses_bad_arguments_with_a_message_and_no_file(
    seed_001, tmp_path, args, message
):
    target = tmp_path / "r.pdf"

    with pytest.raises(CommandError) as error:
        call_command("export_report", *[a.format(pk=seed_001.pk) for a in args], "-o", str(target))

    assert message in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_command_builds_as_the_user_and_refuses_an_audit_they_may_not_read(seed_001, tmp_path):
    # The demo's 人事課 staff: seed 001 addresses 税務課, 戸籍住民課 and ICT戦略課 only.
    with pytest.raises(CommandError, match="閲覧できません"):
        call_command(
            "export_report", "--report", "summary", "--audit", str(seed_001.pk),
            "--user", "jinji", "-o", str(tmp_path / "r.pdf"),
        )  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_command_exits_non_zero_on_a_format_the_summary_lacks(tmp_path):
    result = subprocess.run(
        [
            sys.executable, "manage.py", "export_report", "--report", "summary",
            "--audit", "1", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"),
        ],
        cwd=Path(settings.BASE_DIR), capture_output=True, text=True, timeout=120,
        env={**os.environ, "DEBUG": "1"},
    )  # fmt: skip

    assert result.returncode != 0
    assert "監査報告書（概要版）は pdf で出力します" in result.stderr
