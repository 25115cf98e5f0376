"""Report selection parsing: one form for the preview, the downloads and the command."""

from __future__ import annotations

import datetime

import pytest
from django import forms

from audits.forms import form_field
from reports.forms import ReportSelectionForm


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021-09-30", datetime.date(2021, 9, 30)),
        ("令和3年9月30日", datetime.date(2021, 9, 30)),
        ("令和 3年 9月30日", datetime.date(2021, 9, 30)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("", None),
    ],
)
def test_as_of_accepts_iso_and_wareki(manager, text, day):
    form = ReportSelectionForm({"as_of": text}, user=manager)

    assert form.is_valid(), form.errors
    assert form.selection().as_of == day


def test_fiscal_year_accepts_wareki_and_number(manager, audit):
    for text in ("2020", "令和2年度", "令和２年度"):
        form = ReportSelectionForm({"fiscal_year": text}, user=manager)
        assert form.is_valid(), form.errors
        assert form.selection().fiscal_year == 2020


def test_open_only_reads_the_checkbox_value(manager):
    assert ReportSelectionForm({"open_only": "1"}, user=manager).is_valid()
    form = ReportSelectionForm({"open_only": "1"}, user=manager)
    form.is_valid()
    assert form.selection().open_only is True


def test_staff_department_choices_are_their_own_scope(ict_staff, ict, jinji):
    form = ReportSelectionForm({"department": str(jinji.pk)}, user=ict_staff)

    offered = form_field(form, "department", forms.ModelChoiceField).queryset
    assert offered is not None
    assert list(offered) == [ict]
    assert not form.is_valid()
    assert form.errors["department"] == ["選択肢にない値です。一覧から選び直してください。"]


def test_staff_cannot_choose_an_audit_they_cannot_see(jinji_staff, finding):
    form = ReportSelectionForm({"audit": str(finding.audit_id)}, user=jinji_staff)

    assert not form.is_valid()
    assert "audit" in form.errors
