"""The one date widget: a text field read by the one parser, with a hint of the spellings
and a line saying, in 和暦, what it understood (GET /dates/understand/ while typing)."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse

from audits.dates import (
    DATE_HINT,
    BoundedDateField,
    DateInput,
    DateParameterError,
    parse_date_text,
)
from history.filters import LogFilter
from reports.forms import ReportSelectionForm
from tests.test_bounded_input import _declared_fields

DAY = datetime.date(2021, 9, 30)
UNDERSTOOD = "令和3年9月30日（2021年9月30日）として登録します"


@pytest.mark.parametrize(
    "text",
    [
        "令和3年9月30日",
        "令和３年９月３０日",
        "R3.9.30",
        "r3/9/30",
        "Ｒ３．９．３０",
        "2021-09-30",
        "2021/9/30",
        "2021.9.30",
        "2021年9月30日",
        "20210930",
        "２０２１－０９－３０",
        "２０２１ー０９ー３０",  # the long-vowel mark a Japanese IME types for "-"
        " 2021-09-30 ",
    ],
)
def test_every_spelling_reads_as_the_same_day(text):
    assert parse_date_text(text) == DAY
    assert BoundedDateField(label="措置日").clean(text) == DAY


@pytest.mark.parametrize(
    ("text", "day"),
    [("H31.4.30", datetime.date(2019, 4, 30)), ("令和元年5月1日", datetime.date(2019, 5, 1))],
)
def test_era_boundaries_read_right(text, day):
    assert parse_date_text(text) == day


@pytest.mark.parametrize("text", ["2021-02-30", "R3.2.30", "明日", "2021-9", "平成32年1月1日"])
def test_unreadable_or_impossible_text_names_the_spellings(text):
    with pytest.raises(DateParameterError, match="実在する日付"):
        parse_date_text(text, "措置日")
    with pytest.raises(forms.ValidationError):
        BoundedDateField(label="措置日").clean(text)


def test_a_date_outside_the_range_gets_the_range_message():
    with pytest.raises(DateParameterError, match="平成元年1月8日（1989-01-08）から"):
        parse_date_text("昭和64年1月7日")
    with pytest.raises(forms.ValidationError, match="措置日は平成元年1月8日"):
        BoundedDateField(label="措置日").clean("1989-01-07")


# --- the endpoint -------------------------------------------------------------------------


def _ask(client, **params: str):
    response = client.get(reverse("date_understand"), params)
    return response.status_code, json.loads(response.content.decode())


def test_understand_answers_the_wareki_reading(client, ict_staff):
    client.force_login(ict_staff)
    status, answer = _ask(client, text="２０２１－０９－３０")
    assert status == 200
    assert answer == {
        "ok": True,
        "date": "2021-09-30",
        "wareki": "令和3年9月30日",
        "message": UNDERSTOOD,
    }
    assert _ask(client, text="R3.9.30", purpose="filter")[1]["message"].endswith("絞り込みます")
    assert _ask(client, text="R3.9.30", purpose="<x>")[1]["message"] == UNDERSTOOD


def test_understand_answers_the_fields_own_message_for_a_bad_date(client, ict_staff):
    client.force_login(ict_staff)
    status, answer = _ask(client, text="1900-01-01", label="措置日")
    assert status == 400
    assert answer["ok"] is False
    assert answer["message"].startswith("措置日は平成元年1月8日（1989-01-08）から")
    status, answer = _ask(client, text="令和3年2月30日")
    assert (status, answer["ok"]) == (400, False)
    assert "実在する日付" in answer["message"]
    assert _ask(client, text="  ") == (200, {"ok": False, "message": ""})
    # Long text is cut, not an error page.
    assert _ask(client, text="9" * 5000)[0] == 400


def test_understand_needs_a_signed_in_user(client):
    response = client.get(reverse("date_understand"), {"text": "R3.9.30"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the widget ---------------------------------------------------------------------------


class _Form(forms.Form):
    day = BoundedDateField(label="実施日", help_text="監査を実施した日")


def _input(html: str) -> str:
    match = re.search(r"<input[^>]*name=\"day\"[^>]*>", html)
    assert match, html
    return match.group(0)


def test_widget_is_a_text_field_with_hint_and_live_line():
    html = str(_Form(initial={"day": DAY})["day"])
    control = _input(html)
    assert 'type="text"' in control
    assert 'value="令和3年9月30日"' in control  # a stored date is shown in 和暦
    assert "data-date-input" in control
    assert f'data-understand-url="{reverse("date_understand")}"' in control
    assert 'data-label="実施日"' in control
    described = re.search(r'aria-describedby="([^"]+)"', control)
    assert described
    assert described.group(1).split() == ["id_day_helptext", "id_day_hint", "id_day_understood"]
    assert f'<p class="field__help date-input__hint" id="id_day_hint">{DATE_HINT}</p>' in html
    assert re.search(
        rf'<p class="date-input__understood" id="id_day_understood" aria-live="polite">'
        rf"{re.escape(UNDERSTOOD)}</p>",
        html,
    )


def test_bound_widget_keeps_the_text_typed_and_names_its_error():
    form = _Form({"day": "R3.2.30"})
    assert not form.is_valid()
    control = _input(str(form["day"]))
    assert 'value="R3.2.30"' in control
    assert 'aria-invalid="true"' in control
    assert "id_day_error" in control
    # Nothing understood: the field's own error says why.
    assert 'aria-live="polite"></p>' in str(form["day"])

    typed = _Form({"day": "R3.9.30"})
    assert typed.is_valid()
    assert typed.cleaned_data["day"] == DAY
    assert UNDERSTOOD in str(typed["day"])


def test_every_date_field_and_filter_uses_the_one_widget(auditor):
    dates = [(name, f) for name, f in _declared_fields() if isinstance(f, forms.DateField)]
    assert [name for name, f in dates if not isinstance(f.widget, DateInput)] == []
    assert isinstance(ReportSelectionForm(user=auditor).fields["as_of"].widget, DateInput)
    assert LogFilter.base_filters["date_from"].field.widget.purpose == "filter"


def test_no_template_asks_for_the_browsers_date_picker():
    templates = Path(__file__).resolve().parents[1] / "templates"
    pickers = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if 'type="date"' in path.read_text(encoding="utf-8")
    ]
    assert pickers == []
