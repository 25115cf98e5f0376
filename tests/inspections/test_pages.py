from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from inspections import services
from inspections.demo import SURVEY_NAME, load_survey
from inspections.models import (
    Checklist,
    InspectionResponse,
    InspectionRound,
    ItemNote,
    ResponseState,
    VisitInvestigation,
)

pytestmark = pytest.mark.django_db

SEED_004 = [
    "150のうち144の部署で巡回が実施されている。",
    "150のすべての部署で職員啓発、意識向上活動が実施されている。",
    "76のうち62の部署でメモを禁止している。",
    "メモ禁止62のうち42の部署でメモ用紙（ノート）を指定している。",
    "150のうち109の部署で遵守されている。",
    "95のすべての部署で任用時研修が実施されている。",
]


@pytest.fixture
def survey(auditor) -> InspectionRound:
    round_ = load_survey(auditor)
    assert round_ is not None
    return round_


def test_seed_004_counts_in_the_page_csv_excel_and_pdf(client, manager, survey, tmp_path):
    client.force_login(manager)

    page = client.get(reverse("inspection_results", args=[survey.pk])).content.decode()
    for sentence in SEED_004:
        assert sentence in page
    assert "（対象：76部署）" in page and "（対象：95部署）" in page
    assert "職員数が少なく職場全体が見渡せるため" in page
    assert "96.0%" in page

    csv_text = client.get(
        reverse("inspection_results_export", args=[survey.pk, "csv"])
    ).content.decode("utf-8-sig")
    for sentence in SEED_004:
        assert sentence in csv_text
    assert ",150,144,96.0," in csv_text and ",62,42,67.7," in csv_text

    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(
            client.get(reverse("inspection_results_export", args=[survey.pk, "xlsx"])).content
        )
    )
    cells = [c for row in book["調査結果"].iter_rows(values_only=True) for c in row]
    assert all(sentence in cells for sentence in SEED_004)

    target = tmp_path / "survey.pdf"
    call_command(
        "export_report", "--round", SURVEY_NAME, "--format", "pdf", "-o", str(target),
        stdout=io.StringIO(),
    )  # fmt: skip
    from pypdf import PdfReader

    text = "".join("".join(p.extract_text().split()) for p in PdfReader(str(target)).pages)
    for sentence in SEED_004:
        assert sentence in text
    assert "平成29年4月26日～5月12日" in text


def test_export_report_refuses_an_unknown_round(tmp_path, auditor):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="見つからない"):
        call_command("export_report", "--round", "ない調査", "-o", str(tmp_path / "x.csv"))


# --- bad input on every form: a Japanese message by the field, nothing saved ------------


def _bad(client, user, url, data, message):
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode()
    return response


def test_checklist_form_needs_a_name(client, auditor):
    _bad(client, auditor, reverse("checklist_create"), {"fiscal_year": "2024", "name": ""},
         "名称を入力してください。")  # fmt: skip
    assert not Checklist.objects.exists()


def test_copy_to_an_existing_year_and_name_is_refused(client, auditor, sheet):
    _bad(
        client, auditor, reverse("checklist_copy", args=[sheet.checklist.pk]),
        {"fiscal_year": "2024", "name": "自己点検票"}, "同じ年度に同じ名称の点検票があります。",
    )  # fmt: skip
    assert Checklist.objects.count() == 1


def test_item_form_needs_two_options_and_keeps_what_was_typed(client, auditor, sheet):
    checklist = services.create_checklist(fiscal_year=2030, name="新しい票", user=auditor)
    category = services.add_category(checklist, number="(1)", title="分類", user=auditor)
    response = _bad(
        client, auditor, reverse("item_add", args=[checklist.pk]),
        {"category": str(category.pk), "number": "①", "question": "入力した質問",
         "result_phrase": "実施されている", "options": "実施"},
        "回答の選択肢を2つ以上入力してください。",
    )  # fmt: skip
    assert "入力した質問" in response.content.decode()
    response = _bad(
        client, auditor, reverse("item_add", args=[checklist.pk]),
        {"category": "999999", "number": "①", "question": "q", "result_phrase": "p",
         "options": "実施\n未実施*"},
        "選択肢にない分類です",
    )  # fmt: skip


def test_category_needs_a_unique_number(client, auditor):
    checklist = services.create_checklist(fiscal_year=2030, name="票", user=auditor)
    services.add_category(checklist, number="(1)", title="分類", user=auditor)
    _bad(
        client, auditor, reverse("category_add", args=[checklist.pk]),
        {"category-number": "(1)", "category-title": "もう一つ"}, "既にあります",
    )  # fmt: skip


def test_round_form_refuses_a_deadline_before_the_start(client, auditor, sheet, ict):
    _bad(
        client, auditor, reverse("inspection_round_create"),
        {"name": "点検", "fiscal_year": "2024", "kind": "self",
         "checklist": str(sheet.checklist.pk), "departments": [str(ict.pk)],
         "start_date": "2024-08-01", "deadline": "2024-07-01"},
        "回答期限は開始日以降の日付にしてください。",
    )  # fmt: skip
    _bad(
        client, auditor, reverse("inspection_round_create"),
        {"name": "点検", "fiscal_year": "2024", "kind": "other", "checklist": "x",
         "start_date": "2024-02-30", "deadline": ""},
        "対象の所属を1つ以上選んでください。",
    )  # fmt: skip
    assert not InspectionRound.objects.exists()


def test_answer_form_refuses_a_foreign_option_and_a_missing_answer(
    client, ict_staff, sheet, inspection, ict
):
    url = reverse("response_form", args=[inspection.pk, ict.pk])
    _bad(client, ict_staff, url, {f"item_{sheet.patrol.pk}": str(sheet.option(sheet.memo, "実施").pk)},
         "選択肢にない回答です")  # fmt: skip
    response = _bad(
        client, ict_staff, url,
        {f"item_{sheet.patrol.pk}": str(sheet.option(sheet.patrol, "実施").pk),
         f"other_{sheet.patrol.pk}": "書いた内容", "submit": "1"},
        "回答していない項目があります",
    )  # fmt: skip
    assert "書いた内容" in response.content.decode()
    saved = InspectionResponse.objects.get(round=inspection, department=ict)
    assert saved.state == ResponseState.DRAFT and saved.answers.get().other_text == "書いた内容"


def test_return_needs_a_reason(client, auditor, sheet, inspection, ict):
    services.save_answers(inspection, ict, dict([sheet.answer(sheet.patrol, "実施"), sheet.answer(sheet.memo, "未実施")]), user=auditor)  # fmt: skip
    services.submit_response(inspection, ict, user=auditor)
    client.force_login(auditor)
    response = client.post(
        reverse("response_review", args=[inspection.pk, ict.pk]),
        {"decision": "return", "reason": ""},
        follow=True,
    )
    assert "差戻しの理由を入力してください" in response.content.decode()
    assert InspectionResponse.objects.get(department=ict).state == ResponseState.SUBMITTED


def test_item_note_refuses_an_unknown_pick_and_an_overlong_text(client, auditor, sheet, inspection):
    url = reverse("item_note", args=[inspection.pk, sheet.patrol.pk])
    _bad(client, auditor, url, {"picked": ["作り話"], "direction": ""}, "選択肢にない回答です")
    _bad(client, auditor, url, {"direction": "あ" * 2001}, "2000文字以内")
    assert not ItemNote.objects.exists()


def test_visit_form_needs_departments(client, auditor):
    _bad(client, auditor, reverse("visit_create"), {"name": "訪問", "fiscal_year": "2024"},
         "訪問する所属を1つ以上選んでください。")  # fmt: skip
    assert not VisitInvestigation.objects.exists()


# --- a fixed number of queries, whatever the number of departments -------------------


def _round_over(count, sheet, auditor, soumu):
    from audits.models import Department

    departments = [
        Department.objects.create(code=f"q{count}-{n}", name=f"課{n}", parent=soumu)
        for n in range(count)
    ]
    round_ = services.open_inspection_round(
        name=f"点検{count}", fiscal_year=2024, kind="self", checklist=sheet.checklist,
        departments=departments, start_date=datetime.date(2024, 7, 1),
        deadline=datetime.date(2024, 8, 31), user=auditor,
    )  # fmt: skip
    for n, department in enumerate(departments):
        services.save_answers(
            round_, department,
            dict([sheet.answer(sheet.patrol, "未実施" if n % 2 else "実施", "その他"),
                  sheet.answer(sheet.memo, "実施"), sheet.answer(sheet.memo_paper, "実施")]),
            user=auditor,
        )  # fmt: skip
        services.submit_response(round_, department, user=auditor)
    return round_, departments


# Each page: session + user + groups (3), then the page's own reads.
PROGRESS_QUERIES = 6  # round, departments, responses with answer counts
FORM_QUERIES = 11  # round, department, response+answers, items+options, applies, findings
RESULTS_QUERIES = 14  # items+options, applies, targets, responses, answers, notes, trend (3)


@pytest.mark.parametrize("count", [2, 6])
def test_pages_take_a_fixed_number_of_queries(
    client, auditor, sheet, soumu, count, django_assert_num_queries
):
    round_, departments = _round_over(count, sheet, auditor, soumu)
    client.force_login(auditor)
    with django_assert_num_queries(PROGRESS_QUERIES):
        assert client.get(reverse("inspection_round_detail", args=[round_.pk])).status_code == 200
    with django_assert_num_queries(FORM_QUERIES):
        url = reverse("response_form", args=[round_.pk, departments[1].pk])
        assert client.get(url).status_code == 200
    with django_assert_num_queries(RESULTS_QUERIES):
        assert client.get(reverse("inspection_results", args=[round_.pk])).status_code == 200


def test_visit_records_findings_and_good_practice_and_rotation_prefers_unvisited(
    client, auditor, manager, ict, jinji
):
    from audits.services import add_commendation
    from findings.models import FindingKind
    from findings.services import add_finding

    visit = services.create_visit(
        name="訪問調査", fiscal_year=2024, departments=[ict], user=auditor
    )
    add_finding(
        visit.audit, kind=FindingKind.objects.get(code="shiteki"), title="USBメモリの突合",
        body="台帳と現物の突合が行われていなかった。", departments=[ict], user=auditor,
    )  # fmt: skip
    add_commendation(visit.audit, text="定義ファイル更新を当番制にしている。", user=auditor)

    client.force_login(manager)
    page = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert "USBメモリの突合" in page and "未報告" in page
    assert "定義ファイル更新を当番制にしている。" in page
    assert visit.audit.kinds_label == "訪問調査"
    assert services.rotation_candidates(1) == [jinji]


def test_findings_from_answers_are_in_the_departments_list_and_report(
    client, ict_staff, sheet, inspection, ict
):
    services.save_answers(
        inspection, ict,
        dict([sheet.answer(sheet.patrol, "未実施"), sheet.answer(sheet.memo, "未実施")]),
        user=ict_staff,
    )  # fmt: skip
    services.submit_response(inspection, ict, user=ict_staff)
    client.force_login(ict_staff)

    mine = client.get(reverse("my_findings")).content.decode()
    assert "令和6年度 自己点検" in mine
    report = client.get(
        reverse("report_preview") + f"?audit={inspection.audit_id}"
    ).content.decode()
    assert "巡回の実施" in report and "メモ禁止" in report


def test_a_round_for_every_section_needs_no_ticking(client, auditor, sheet, ict, jinji, soumu):
    client.force_login(auditor)
    response = client.post(
        reverse("inspection_round_create"),
        {"name": "全課の点検", "fiscal_year": "2024", "kind": "self",
         "checklist": str(sheet.checklist.pk), "all_sections": "on",
         "start_date": "2024-07-01", "deadline": "2024-08-31"},
    )  # fmt: skip
    assert response.status_code == 302
    round_ = InspectionRound.objects.get(name="全課の点検")
    assert set(round_.departments.all()) == {ict, jinji}  # the 課, not 総務部 itself
