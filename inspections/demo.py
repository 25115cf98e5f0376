"""The self-inspection part of the demo (load_demo).

- Seed 004's survey 「情報セキュリティ強化に向けた取組みの実施状況」 (平成29年, 中野区) over
  150 generated departments (部局 「調査デモ区」, codes svy-001 …), answered so that
  every published count comes out: 144/150, 150/150, 62/76, 42/62, 109/150, 95/95,
  with the seed's その他の対応 lines and 今後の方向性.
- Two past years of self-inspection (令和6・7年度) over 20 generated 課 (部局
  「点検デモ局」, codes chk-01 …), so the 課題あり / 未改善課題あり trend shows, and a
  current round (this 年度, deadline ten days ahead) that also asks ICT戦略課, who has
  not answered yet.

Generated departments keep the 13 departments of the audit demo untouched, except that
ICT戦略課 is asked in the current round. Answers are typed in by the audit office
(kansa), as a paper survey would be. Idempotent: a round that exists (by name) is left
alone.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audits.models import Department, User
from audits.services import add_commendation
from audits.wareki import fiscal_year_of, format_fiscal_year
from findings.models import FindingKind
from findings.services import add_finding
from inspections.models import (
    AnswerOption,
    Checklist,
    ChecklistItem,
    InspectionRound,
    OptionMeaning,
    RoundKind,
    VisitInvestigation,
)
from inspections.services import (
    AnswerInput,
    OptionSpec,
    accept_response,
    add_category,
    add_item,
    copy_checklist,
    create_checklist,
    create_visit,
    open_inspection_round,
    save_answers,
    save_item_note,
    submit_response,
)
from remediation.models import RemediationStatus
from remediation.services import record_entry, review_entry

SURVEY_NAME = "情報セキュリティ強化に向けた取組みの実施状況"
SURVEY_PURPOSE = (
    "情報セキュリティ強化に向けた取組みの実施状況を明らかにし、今後の情報セキュリティ対策の"
    "一層の推進を図る。"
)
SURVEY_DEPARTMENTS = 150
DONE_NOT = (OptionSpec("実施", OptionMeaning.DONE), OptionSpec("未実施", OptionMeaning.ISSUE))

# (number, title, description, [(item number, question, phrase, denominator label)])
SURVEY_CATEGORIES = [
    (
        "(1)",
        "巡回の実施",
        "個人情報を扱う職場では、業務時間中、管理職または執行責任者が定期的に職場を巡回し、"
        "職場全体で情報資産の管理を徹底する。",
        [("①", "巡回の実施", "巡回が実施されている", "")],
    ),
    (
        "(2)",
        "職員啓発、意識向上活動",
        "情報セキュリティインシデントを未然に防止するため、朝礼等において情報セキュリティに"
        "かかる最新の事例紹介や注意喚起などを行い、職員の啓発、意識向上に努める。",
        [("①", "職員啓発、意識向上活動の実施", "職員啓発、意識向上活動が実施されている", "")],
    ),
    (
        "(3)",
        "情報システム機器に表示された個人情報のメモの禁止",
        "情報システム機器に表示された個人情報を用紙等にメモすることは原則禁止とする。業務で"
        "使用する必要がある場合は、指定のメモ用紙を使用するなど管理を徹底する。",
        [
            ("①", "メモ禁止", "メモを禁止している", ""),
            ("②", "メモ用紙（ノート含む）指定", "メモ用紙（ノート）を指定している", "メモ禁止"),
        ],
    ),
    (
        "(4)",
        "業務区域等における私物の情報機器の使用禁止",
        "業務区域及び機密区域において、スマートフォン等私物の情報機器の使用は禁止する。"
        "（公開区域は使用可）",
        [("①", "私物の情報機器の使用禁止", "遵守されている", "")],
    ),
    (
        "(5)",
        "臨時職員の任用時研修の実施",
        "臨時職員の任用時研修について、区として共通の個人情報の保護・情報セキュリティに関する"
        "遵守事項と担当業務における個別の業務手順や遵守事項の研修を、任用初日に、必ず各職場"
        "において行い、遵守する旨の同意書への署名を求める。",
        [("①", "任用時研修の実施", "任用時研修が実施されている", "")],
    ),
]

# Free texts as the seed prints them (その他の対応（主な回答）), per (category, item).
OTHER_TEXTS = {
    ("(1)", "①"): [
        "職員数が少なく職場全体が見渡せるため、日常的に目配りや声掛けをしている。",
        "変則的な勤務形態のため、個別業務について各責任者が随時確認を行っている。",
    ],
    ("(3)", "①"): [
        "区民対応のために別の担当者にメモで伝達している。",
        "共用機で確認した内容をメモして自席に戻り転記している。",
    ],
    ("(3)", "②"): ["業務においてメモを取る必要がないため指定していない。"],
    ("(4)", "①"): [
        "業務のための緊急連絡手段として私物の携帯電話等を使用している。"
        "（例 災害情報メール、一斉送信メール配信確認、地域団体関係者等との連絡、地域行事等の"
        "イベント、出先での職員間連絡、他自治体職員との連絡等）"
    ],
}
DIRECTIONS = {
    ("(1)", "①"): [
        "巡回行為自体に抑止効果が期待できることから、職場環境にかかわらず巡回するよう指導する。",
        "職員を指定して実施する場合は、統括管理者または執行責任者が実施結果報告を受け、"
        "必要な指示を行うなどの関与をしていく。",
        "巡回については、各職場の状況を勘案の上、できるだけ多くの機会を確保するよう努める。",
    ],
    ("(2)", "①"): [
        "職員の意識向上を図るため、今後も、より効果的な実施方法等を工夫し、週1回程度の啓発に努める。"
    ],
    ("(3)", "②"): [
        "メモ用紙を極力使用しない仕事の進め方を工夫するとともに、メモ等を使用する場合の"
        "ルール等について業務や組織ごとに明らかにしていく。"
    ],
    ("(4)", "①"): [
        "各職場の業務内容等に応じた利用実態を踏まえ、使用できる範囲や形態を例示するなど"
        "ルールの明確化や、業務用携帯端末の管理のあり方等について明らかにしていく。"
    ],
    ("(5)", "①"): [
        "各部署における研修の内容や教材等について、庁内で連携して今後の更新等を行っていく必要がある。"
    ],
}

# Which of the 150 departments (index 0–149) the seed's counts put where.
MEMO_SCOPE = range(0, 76)  # (3) applies to 76
TRAINING_SCOPE = range(50, 145)  # (5) applies to 95


def survey_answer(index: int, category: str, item: str) -> tuple[bool, str] | None:
    """(done, その他の対応) of department `index`, None where the item does not apply."""
    texts = OTHER_TEXTS.get((category, item), [""])
    other = texts[index % len(texts)]
    if category == "(1)":
        return (True, "") if index < 144 else (False, other)
    if category == "(2)":
        return True, ""
    if category == "(3)" and item == "①":
        if index not in MEMO_SCOPE:
            return None
        return (True, "") if index < 62 else (False, other)
    if category == "(3)":
        if index >= 62:
            return None
        return (True, "") if index < 42 else (False, other)
    if category == "(4)":
        return (True, "") if index < 109 else (False, other)
    if index not in TRAINING_SCOPE:
        return None
    return True, ""


def _departments(code: str, name: str, prefix: str, count: int, label: str) -> list[Department]:
    parent, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": 900}
    )
    existing = {d.code: d for d in Department.objects.filter(parent=parent)}
    made = []
    for n in range(1, count + 1):
        dept_code = f"{prefix}-{n:03d}"
        department = existing.get(dept_code)
        if department is None:
            department = Department.objects.create(
                code=dept_code, name=f"{label}{n:03d}", parent=parent, sort_order=900 + n
            )
        made.append(department)
    return made


@transaction.atomic
def load_survey(auditor: User) -> InspectionRound | None:
    if InspectionRound.objects.filter(name=SURVEY_NAME).exists():
        return None
    departments = _departments("svy", "調査デモ区", "svy", SURVEY_DEPARTMENTS, "調査デモ部署")
    checklist = Checklist.objects.filter(fiscal_year=2017, name=SURVEY_NAME).first()
    if checklist is None:
        checklist = create_checklist(fiscal_year=2017, name=SURVEY_NAME, user=auditor)
        for number, title, description, items in SURVEY_CATEGORIES:
            category = add_category(
                checklist, number=number, title=title, description=description, user=auditor
            )
            for item_number, question, phrase, denominator in items:
                applies: list[Department] = []
                if number == "(3)" and item_number == "①":
                    applies = [departments[i] for i in MEMO_SCOPE]
                if number == "(5)":
                    applies = [departments[i] for i in TRAINING_SCOPE]
                depends = None
                if denominator:
                    depends = AnswerOption.objects.get(
                        item__category=category, item__number="①", label="実施"
                    )
                add_item(
                    category,
                    number=item_number,
                    question=question,
                    result_phrase=phrase,
                    options=DONE_NOT,
                    applies_to=applies,
                    depends_on=depends,
                    denominator_label=denominator,
                    user=auditor,
                )
    round_ = open_inspection_round(
        name=SURVEY_NAME,
        fiscal_year=2017,
        kind=RoundKind.SURVEY,
        checklist=checklist,
        departments=departments,
        start_date=datetime.date(2017, 4, 26),
        deadline=datetime.date(2017, 5, 12),
        purpose=SURVEY_PURPOSE,
        user=auditor,
    )
    survey_items = list(
        ChecklistItem.objects.filter(category__checklist=checklist)
        .select_related("category")
        .prefetch_related("options")
    )
    for index, department in enumerate(departments):
        answers = {}
        for item in survey_items:
            given = survey_answer(index, item.category.number, item.number)
            if given is None:
                continue
            done, other = given
            option = next(o for o in item.options.all() if (o.label == "実施") == done)
            answers[item.pk] = AnswerInput(option.pk, other)
        save_answers(round_, department, answers, user=auditor)
        response = submit_response(round_, department, user=auditor)
        accept_response(response, user=auditor)
    for item in survey_items:
        key = (item.category.number, item.number)
        save_item_note(
            round_,
            item,
            other_lines="\n".join(OTHER_TEXTS.get(key, [])),
            direction="\n".join(DIRECTIONS.get(key, [])),
            user=auditor,
        )
    return round_


# --- self-inspection over the years -------------------------------------------------------

SELF_CHECKLIST = "情報セキュリティ自己点検票"
SELF_CATEGORIES = [
    (
        "1",
        "セキュリティマネジメント点検",
        [
            (
                "(1)",
                "退庁時に机上の書類・記録媒体を片付けている（クリアデスク）",
                "クリアデスクが実施されている",
            ),
            (
                "(2)",
                "USBメモリを施錠保管し、台帳と現物を定期的に突合している",
                "USBメモリの突合が実施されている",
            ),
            (
                "(3)",
                "パスワードを他人に知られないよう管理している",
                "パスワードが適切に管理されている",
            ),
        ],
    ),
    (
        "2",
        "リスク対策状況点検",
        [
            (
                "(1)",
                "スタンドアロンパソコンのウイルス対策ソフトの定義ファイルを更新している",
                "定義ファイルが更新されている",
            ),
            (
                "(2)",
                "課で保有する主要な情報資産を一覧にして把握している",
                "情報資産が把握されている",
            ),
        ],
    ),
]
SELF_DEPARTMENTS = 20


def _self_checklist(fiscal_year: int, auditor: User) -> Checklist:
    existing = Checklist.objects.filter(fiscal_year=fiscal_year, name=SELF_CHECKLIST).first()
    if existing is not None:
        return existing
    previous = Checklist.objects.filter(fiscal_year=fiscal_year - 1, name=SELF_CHECKLIST).first()
    if previous is not None:
        return copy_checklist(previous, fiscal_year=fiscal_year, name=SELF_CHECKLIST, user=auditor)
    checklist = create_checklist(fiscal_year=fiscal_year, name=SELF_CHECKLIST, user=auditor)
    for number, title, items in SELF_CATEGORIES:
        category = add_category(checklist, number=number, title=title, user=auditor)
        for item_number, question, phrase in items:
            add_item(
                category,
                number=item_number,
                question=question,
                result_phrase=phrase,
                user=auditor,
            )
    return checklist


def _issue_pattern(year_offset: int, index: int, position: int) -> bool:
    """Fewer 課題 each year, clear desk (position 0) the most stubborn (seed 003)."""
    every = (3, 5, 7, 4, 6)[position] + 2 * year_offset
    return (index + position) % every == 0


@transaction.atomic
def load_self_inspections(auditor: User) -> None:
    this_year = fiscal_year_of(timezone.localdate())
    departments = _departments("chk", "点検デモ局", "chk", SELF_DEPARTMENTS, "点検デモ課")
    statuses = {s.code: s for s in RemediationStatus.objects.all()}
    for offset, year in enumerate((this_year - 2, this_year - 1)):
        name = f"{format_fiscal_year(year)} 情報セキュリティ自己点検（デモ）"
        if InspectionRound.objects.filter(name=name).exists():
            continue
        checklist = _self_checklist(year, auditor)
        round_ = open_inspection_round(
            name=name,
            fiscal_year=year,
            kind=RoundKind.SELF_INSPECTION,
            checklist=checklist,
            departments=departments,
            start_date=datetime.date(year, 7, 1),
            deadline=datetime.date(year, 8, 31),
            user=auditor,
        )
        items = list(
            ChecklistItem.objects.filter(category__checklist=checklist)
            .prefetch_related("options")
            .select_related("category")
        )
        for index, department in enumerate(departments):
            answers = {}
            for position, item in enumerate(items):
                label = "未実施" if _issue_pattern(offset, index, position) else "実施"
                option = next(o for o in item.options.all() if o.label == label)
                answers[item.pk] = AnswerInput(option.pk)
            save_answers(round_, department, answers, user=auditor)
            response = submit_response(round_, department, user=auditor)
            accept_response(response, user=auditor)
        # 改善報告: most 課題 were improved by the follow-up, some not (未改善課題あり).
        for n, finding in enumerate(round_.audit.findings.order_by("sort_order", "id")):
            if n % 3 == 2:
                continue
            entry = record_entry(
                finding,
                status=statuses["sochizumi"],
                entry_date=datetime.date(year, 10, 31),
                content="改善計画に沿って対策を実施し、課内で確認した（改善報告）。",
                user=auditor,
                today=datetime.date(year, 10, 31),
            )
            review_entry(entry, decision="accepted", user=auditor)
    _current_round(this_year, departments, auditor)


def _current_round(year: int, departments: list[Department], auditor: User) -> None:
    name = f"{format_fiscal_year(year)} 情報セキュリティ自己点検（デモ・実施中）"
    if InspectionRound.objects.filter(name=name).exists():
        return
    checklist = _self_checklist(year, auditor)
    ict = Department.objects.filter(code="ict").first()
    targets = [*departments, *([ict] if ict is not None else [])]
    today = timezone.localdate()
    round_ = open_inspection_round(
        name=name,
        fiscal_year=year,
        kind=RoundKind.SELF_INSPECTION,
        checklist=checklist,
        departments=targets,
        start_date=today - datetime.timedelta(days=20),
        deadline=today + datetime.timedelta(days=10),
        user=auditor,
    )
    items = list(
        ChecklistItem.objects.filter(category__checklist=checklist).prefetch_related("options")
    )
    # Half the generated 課 have submitted, a few keep a draft; ICT戦略課 has not started.
    for index, department in enumerate(departments[:13]):
        answers = {}
        for position, item in enumerate(items):
            label = "未実施" if _issue_pattern(2, index, position) else "実施"
            option = next(o for o in item.options.all() if o.label == label)
            answers[item.pk] = AnswerInput(option.pk)
        save_answers(round_, department, answers, user=auditor)
        if index < 10:
            submit_response(round_, department, user=auditor)


VISIT_NAME = "訪問調査（デモ）"


@transaction.atomic
def load_visit(auditor: User) -> None:
    """A visit after last year's self-inspection (seed 003): a 課題 the department had not
    seen, followed up and closed; a 課題 still open; and two 優良事例."""
    if VisitInvestigation.objects.filter(name=VISIT_NAME).exists():
        return
    year = fiscal_year_of(timezone.localdate()) - 1
    source = InspectionRound.objects.filter(
        name=f"{format_fiscal_year(year)} 情報セキュリティ自己点検（デモ）"
    ).first()
    departments = list(Department.objects.filter(code__in=["chk-002", "chk-005", "chk-009"]))
    if source is None or len(departments) != 3:
        return
    visit = create_visit(
        name=VISIT_NAME,
        fiscal_year=year,
        departments=departments,
        round_=source,
        selection_note="自己点検で課題なしと回答した課から抽出",
        visit_date=datetime.date(year, 12, 10),
        user=auditor,
    )
    audit = visit.audit
    kind = FindingKind.objects.get(code="shiteki")
    usb = add_finding(
        audit,
        kind=kind,
        label="①",
        title="USBメモリの保管と現物との突合",
        body="自己点検では課題なしとしていたが、USBメモリの台帳と現物の突合が行われていなかった。",
        departments=[departments[0]],
        user=auditor,
    )
    add_finding(
        audit,
        kind=kind,
        label="②",
        title="USBメモリへの重要性分類の表示",
        body="USBメモリに重要性分類が表示されていなかった。",
        departments=[departments[1]],
        user=auditor,
    )
    status = RemediationStatus.objects.get(code="sochizumi")
    entry = record_entry(
        usb,
        status=status,
        entry_date=datetime.date(year + 1, 2, 20),
        content="フォローアップ: 台帳と現物の突合を毎月行う手順を定め、2月に実施したことを確認した。",
        user=auditor,
        today=datetime.date(year + 1, 2, 20),
    )
    review_entry(entry, decision="accepted", user=auditor)
    for text in (
        "USBメモリの保管方法を工夫し、現物の有無を一目で確認できるようにして紛失を防いでいる。",
        "スタンドアロンパソコンの定義ファイル更新を当番制とし、作業記録を作成している。",
    ):
        add_commendation(audit, text=text, user=auditor)


def load_inspection_demo(auditor: User) -> None:
    load_survey(auditor)
    load_self_inspections(auditor)
    load_visit(auditor)
