from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from findings.access import visible_findings
from findings.models import Finding
from inspections import services
from inspections.models import InspectionResponse, ResponseState
from inspections.progress import round_progress
from inspections.results import build_results
from inspections.services import InspectionNotAllowed

pytestmark = pytest.mark.django_db


def test_copy_keeps_categories_items_options_scope_and_dependency(sheet, auditor, ict, jinji):
    copy = services.copy_checklist(
        sheet.checklist, fiscal_year=2025, name="自己点検票", user=auditor
    )

    items = {(i.category.number, i.number): i for i in services.checklist_items(copy)}
    assert list(items) == [("(1)", "①"), ("(2)", "①"), ("(2)", "②")]
    memo, paper = items[("(2)", "①")], items[("(2)", "②")]
    assert set(memo.applies_to.all()) == {ict, jinji}
    assert [o.label for o in memo.options.all()] == ["実施", "未実施", "該当なし"]
    assert paper.depends_on is not None and paper.depends_on.item_id == memo.pk
    assert copy.copied_from == sheet.checklist


def test_a_checklist_in_use_cannot_change(sheet, inspection, auditor):
    with pytest.raises(InspectionNotAllowed):
        services.add_category(sheet.checklist, number="(3)", title="追加", user=auditor)


def test_round_gets_a_container_audit_of_its_kind_with_a_section_per_category(inspection):
    audit = inspection.audit
    assert audit.kinds_label == "自己点検"
    assert [s.title for s in audit.sections.all()] == ["巡回の実施", "メモの禁止"]
    assert audit.theme == inspection.name


def test_issue_answer_becomes_a_finding_the_department_sees(
    sheet, inspection, ict, ict_staff, jinji_staff
):
    services.save_answers(
        inspection,
        ict,
        dict(
            [
                sheet.answer(sheet.patrol, "未実施", "少人数のため声掛けで代えている"),
                sheet.answer(sheet.memo, "実施"),
                sheet.answer(sheet.memo_paper, "実施"),
            ]
        ),
        user=ict_staff,
    )
    services.submit_response(inspection, ict, user=ict_staff)

    finding = Finding.objects.get(audit=inspection.audit)
    assert list(finding.departments.all()) == [ict]
    assert "回答: 未実施" in finding.body and "声掛け" in finding.body
    assert finding.section is not None and finding.section.title == "巡回の実施"
    assert finding in visible_findings(ict_staff)
    assert finding not in visible_findings(jinji_staff)


def test_staff_cannot_answer_for_another_department(sheet, inspection, jinji, ict_staff):
    with pytest.raises(PermissionDenied):
        services.save_answers(
            inspection, jinji, dict([sheet.answer(sheet.patrol, "実施")]), user=ict_staff
        )


def test_submit_refuses_unanswered_items_and_keeps_the_draft(sheet, inspection, ict, ict_staff):
    services.save_answers(
        inspection, ict, dict([sheet.answer(sheet.patrol, "実施")]), user=ict_staff
    )

    with pytest.raises(InspectionNotAllowed, match=r"\(2\)①"):
        services.submit_response(inspection, ict, user=ict_staff)

    response = InspectionResponse.objects.get(round=inspection, department=ict)
    assert response.state == ResponseState.DRAFT
    assert response.answers.get().option == sheet.option(sheet.patrol, "実施")


def test_dependent_item_is_not_required_without_its_antecedent(sheet, inspection, ict, ict_staff):
    services.save_answers(
        inspection,
        ict,
        dict([sheet.answer(sheet.patrol, "実施"), sheet.answer(sheet.memo, "未実施")]),
        user=ict_staff,
    )
    response = services.submit_response(inspection, ict, user=ict_staff)
    assert response.state == ResponseState.SUBMITTED


def test_returned_then_resubmitted_removes_the_finding_no_longer_an_issue(
    sheet, inspection, ict, ict_staff, auditor
):
    answers = dict(
        [
            sheet.answer(sheet.patrol, "未実施"),
            sheet.answer(sheet.memo, "実施"),
            sheet.answer(sheet.memo_paper, "実施"),
        ]
    )
    services.save_answers(inspection, ict, answers, user=ict_staff)
    response = services.submit_response(inspection, ict, user=ict_staff)
    assert Finding.objects.filter(audit=inspection.audit).count() == 1
    with pytest.raises(InspectionNotAllowed):
        services.save_answers(inspection, ict, answers, user=ict_staff)

    with pytest.raises(ValidationError):
        services.return_response(response, reason="  ", user=auditor)
    services.return_response(response, reason="巡回の記録を確認してください。", user=auditor)
    answers.update([sheet.answer(sheet.patrol, "実施")])
    services.save_answers(inspection, ict, answers, user=ict_staff)
    services.submit_response(inspection, ict, user=ict_staff)

    assert not Finding.objects.filter(audit=inspection.audit).exists()


def test_a_finding_with_reported_measures_stays(
    sheet, inspection, ict, ict_staff, auditor, make_entry
):
    answers = dict(
        [
            sheet.answer(sheet.patrol, "未実施"),
            sheet.answer(sheet.memo, "実施"),
            sheet.answer(sheet.memo_paper, "実施"),
        ]
    )
    services.save_answers(inspection, ict, answers, user=ict_staff)
    response = services.submit_response(inspection, ict, user=ict_staff)
    finding = Finding.objects.get(audit=inspection.audit)
    make_entry(finding, status="kentou", day=datetime.date(2024, 8, 1), content="改善計画")
    services.return_response(response, reason="再確認", user=auditor)
    answers.update([sheet.answer(sheet.patrol, "実施")])
    services.save_answers(inspection, ict, answers, user=ict_staff)
    services.submit_response(inspection, ict, user=ict_staff)

    assert Finding.objects.filter(pk=finding.pk).exists()


def test_only_a_submitted_response_is_accepted(sheet, inspection, ict, ict_staff, auditor):
    response = services.save_answers(
        inspection, ict, dict([sheet.answer(sheet.patrol, "実施")]), user=ict_staff
    )
    with pytest.raises(InspectionNotAllowed):
        services.accept_response(response, user=auditor)
    with pytest.raises(PermissionDenied):
        services.accept_response(response, user=ict_staff)


def _answer_all(sheet, inspection, department, user, patrol, memo="実施", paper="実施"):
    answers = [sheet.answer(sheet.patrol, patrol)]
    if memo:
        answers.append(sheet.answer(sheet.memo, memo))
        if memo == "実施" and paper:
            answers.append(sheet.answer(sheet.memo_paper, paper))
    services.save_answers(inspection, department, dict(answers), user=user)
    return services.submit_response(inspection, department, user=user)


def test_results_count_departments_the_item_applies_to(
    sheet, inspection, ict, jinji, other_dept, auditor
):
    _answer_all(sheet, inspection, ict, auditor, "実施", "実施", "未実施")
    _answer_all(sheet, inspection, jinji, auditor, "未実施", "未実施")
    _answer_all(sheet, inspection, other_dept, auditor, "実施", memo="")

    results = build_results(inspection)

    sentences = [i.sentence for c in results.categories for i in c.items]
    assert sentences == [
        "3のうち2の部署で巡回が実施されている。",
        "2のうち1の部署でメモを禁止している。",
        "メモ禁止1のうち0の部署でメモ用紙を指定している。",
    ]
    assert results.categories[1].scope == 2
    assert [(t.title, t.cells[0].issues) for t in results.trend] == [
        ("巡回の実施", 1),
        ("メモの禁止", 2),
    ]


def test_not_applicable_answers_leave_the_denominator(sheet, inspection, ict, jinji, auditor):
    _answer_all(sheet, inspection, ict, auditor, "該当なし", "実施", "実施")
    _answer_all(sheet, inspection, jinji, auditor, "実施", "実施", "実施")

    patrol = build_results(inspection).categories[0].items[0]

    assert (patrol.denominator, patrol.done, patrol.percent_text) == (1, 1, "100.0%")


def test_progress_shows_each_state_and_late_departments(
    sheet, inspection, ict, jinji, other_dept, auditor
):
    response = _answer_all(sheet, inspection, ict, auditor, "実施")
    services.return_response(response, reason="確認", user=auditor)
    _answer_all(sheet, inspection, jinji, auditor, "実施")

    progress = round_progress(inspection, today=datetime.date(2024, 9, 1))

    states = {line.department.code: (line.state_label, line.is_late) for line in progress.lines}
    assert states == {
        "ict": ("差戻し", True),
        "jinji": ("提出済", False),
        "kikaku": ("未着手", True),
    }
    assert dict(progress.counts)["期限超過"] == 2


def test_digest_reminds_staff_of_their_unsubmitted_round_and_the_office_once_late(
    sheet, inspection, ict, ict_staff, auditor, jinji
):
    from reminders.digests import DigestPlanner

    ict_staff.email = "ict@example.lg.jp"
    _answer_all(sheet, inspection, jinji, auditor, "実施")

    before = DigestPlanner(datetime.date(2024, 8, 29))
    staff = before.for_user(ict_staff)
    assert staff is not None
    assert [d.departments for d in staff.inspections] == [[ict]]
    assert "令和6年度 自己点検" in staff.render_text()
    assert before.for_user(auditor) is None  # not late yet: nothing for the office

    office = DigestPlanner(datetime.date(2024, 9, 2)).for_user(auditor)
    assert office is not None
    assert {d.code for d in office.inspections[0].departments} == {"ict", "kikaku"}


def test_an_item_others_depend_on_is_not_deleted_and_a_used_checklist_keeps_its_items(
    sheet, auditor
):
    with pytest.raises(InspectionNotAllowed, match=r"\(2\)②"):
        services.delete_item(sheet.memo, user=auditor)
    services.delete_item(sheet.memo_paper, user=auditor)
    services.delete_item(sheet.memo, user=auditor)
    with pytest.raises(InspectionNotAllowed):
        services.delete_category(sheet.patrol.category, user=auditor)
    services.delete_category(sheet.memo.category, user=auditor)
    assert [c.number for c in sheet.checklist.categories.all()] == ["(1)"]
