"""QuickSelect draws exactly what Django's Select template draws."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from audits.widgets import QuickSelect

CHOICES = [
    ("", "すべて"),
    ("総務部", [("1", "総務部（部局）"), ("2", "総務課<旧>"), ("3", "人事課（廃止）")]),
    ("その他", [("4", 'A & "B"')]),
    ("5", "単独"),
    ("6", mark_safe("<b>安全</b>")),
    (7, lazy(lambda: "遅延<評価>", str)()),
]
ATTRS = {"id": "id_department", "aria-invalid": "true", "aria-describedby": "x_error"}


def test_quick_select_writes_the_same_html_as_django_select():
    for value in ("", "2", "4", "5", None, "99", 7):
        for attrs in (None, ATTRS, {"disabled": True, "required": False}):
            expected = forms.Select(choices=CHOICES).render("department", value, attrs)
            assert QuickSelect(choices=CHOICES).render("department", value, attrs) == expected


def test_quick_select_in_a_form_keeps_the_choice_and_its_errors():
    class Form(forms.Form):
        department = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)

    class Plain(forms.Form):
        department = forms.ChoiceField(choices=CHOICES)

    for data in ({"department": "3"}, {"department": "nope"}, {}):
        assert str(Form(data)["department"]) == str(Plain(data)["department"])
