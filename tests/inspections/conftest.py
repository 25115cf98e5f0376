"""A small checklist and round: (1) 巡回 for all, (2) メモ禁止 for some departments with
(2)② メモ用紙 asked only where (2)① was 実施."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from audits.models import Department, User
from inspections import services
from inspections.models import AnswerOption, Checklist, ChecklistItem, InspectionRound
from inspections.services import AnswerInput, OptionSpec

DONE_NOT = (OptionSpec("実施", "done"), OptionSpec("未実施", "issue"), OptionSpec("該当なし", "na"))


@dataclass
class Sheet:
    checklist: Checklist
    patrol: ChecklistItem
    memo: ChecklistItem
    memo_paper: ChecklistItem

    def option(self, item: ChecklistItem, label: str) -> AnswerOption:
        return item.options.get(label=label)

    def answer(self, item: ChecklistItem, label: str, other: str = "") -> tuple[int, AnswerInput]:
        return item.pk, AnswerInput(self.option(item, label).pk, other)


@pytest.fixture
def sheet(auditor: User, ict: Department, jinji: Department) -> Sheet:
    checklist = services.create_checklist(fiscal_year=2024, name="自己点検票", user=auditor)
    first = services.add_category(checklist, number="(1)", title="巡回の実施", user=auditor)
    patrol = services.add_item(
        first, number="①", question="巡回の実施", result_phrase="巡回が実施されている",
        options=DONE_NOT, user=auditor,
    )  # fmt: skip
    second = services.add_category(checklist, number="(2)", title="メモの禁止", user=auditor)
    memo = services.add_item(
        second, number="①", question="メモ禁止", result_phrase="メモを禁止している",
        options=DONE_NOT, applies_to=[ict, jinji], user=auditor,
    )  # fmt: skip
    paper = services.add_item(
        second, number="②", question="メモ用紙指定", result_phrase="メモ用紙を指定している",
        options=DONE_NOT, depends_on=memo.options.get(label="実施"),
        denominator_label="メモ禁止", user=auditor,
    )  # fmt: skip
    return Sheet(checklist, patrol, memo, paper)


@pytest.fixture
def other_dept(soumu: Department) -> Department:
    return Department.objects.create(code="kikaku", name="企画課", parent=soumu)


@pytest.fixture
def inspection(
    sheet: Sheet, auditor: User, ict: Department, jinji: Department, other_dept: Department
) -> InspectionRound:
    return services.open_inspection_round(
        name="令和6年度 自己点検",
        fiscal_year=2024,
        kind="self",
        checklist=sheet.checklist,
        departments=[ict, jinji, other_dept],
        start_date=datetime.date(2024, 7, 1),
        deadline=datetime.date(2024, 8, 31),
        user=auditor,
    )
