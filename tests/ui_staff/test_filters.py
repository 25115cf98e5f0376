"""FindingFilter: scoped choices, refused values show nothing, never a 500."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import pytest
from django import forms
from django.http import QueryDict

from audits.forms import form_field
from findings.access import visible_findings
from findings.filters import FindingFilter


def run(user, query: str) -> FindingFilter:
    return FindingFilter(QueryDict(query), queryset=visible_findings(user).with_status(), user=user)


@pytest.fixture
def two_findings(make_finding, jinji, make_entry, statuses):
    ict_finding = make_finding(title="ICTの件", due_date=datetime.date(2021, 3, 31))
    jinji_finding = make_finding(title="人事の件", label="②", departments=[jinji])
    return ict_finding, jinji_finding


def test_staff_filter_offers_only_their_department(ict_staff, ict, jinji, two_findings):
    f = run(ict_staff, "")
    offered = form_field(f.form, "department", forms.ModelChoiceField).queryset
    assert offered is not None
    assert list(offered) == [ict]
    assert list(f.qs) == [two_findings[0]]


def test_other_departments_id_is_refused_with_japanese_error(ict_staff, jinji, two_findings):
    f = run(ict_staff, f"department={jinji.pk}")
    assert list(f.qs) == []
    assert f.is_rejected
    assert "選択肢にない値" in f.form.errors["department"][0]


@pytest.mark.parametrize(
    "query",
    ["audit=99999", "fiscal_year=abc", "status=zzz", "o=nope", "kind=x", "department=1e9"],
)
def test_malformed_values_show_nothing_and_explain(ict_staff, two_findings, query):
    f = run(ict_staff, query)
    assert list(f.qs) == []
    field = query.split("=")[0]
    assert f.form.errors[field]


def test_auditor_filters_by_department_and_text(auditor, jinji, two_findings):
    assert list(run(auditor, f"department={jinji.pk}").qs) == [two_findings[1]]
    assert list(run(auditor, "q=ICT").qs) == [two_findings[0]]


def test_fiscal_year_choice_is_labelled_in_wareki(auditor, two_findings):
    f = run(auditor, "fiscal_year=2020")
    choices = form_field(f.form, "fiscal_year", forms.ChoiceField).choices
    assert isinstance(choices, Iterable)
    assert ("2020", "令和2年度") in list(choices)
    assert len(f.qs) == 2


def test_status_open_unreported_closed_and_overdue(auditor, two_findings, make_entry, statuses):
    ict_finding, jinji_finding = two_findings
    make_entry(ict_finding, status="sochizumi")
    assert list(run(auditor, "status=open").qs) == [jinji_finding]
    assert list(run(auditor, "status=unreported").qs) == [jinji_finding]
    assert list(run(auditor, f"status={statuses['sochizumi'].pk}").qs) == [ict_finding]
    assert list(run(auditor, "overdue=1").qs) == []


def test_overdue_means_past_due_and_open(auditor, two_findings):
    assert list(run(auditor, "overdue=1").qs) == [two_findings[0]]


def test_ordering_by_due_date_keeps_every_row(auditor, two_findings):
    for key in ["print", "-audit", "audit", "due", "-due", "status_date", "-status_date"]:
        assert len(run(auditor, f"o={key}").qs) == 2


def test_status_filter_leaves_out_parents_that_take_no_entries(auditor, make_finding):
    parent = make_finding(label="③", title="親")
    child = make_finding(label="ア", title="子", parent=parent)
    assert list(run(auditor, "status=unreported").qs) == [child]
    assert set(run(auditor, "").qs) == {parent, child}
