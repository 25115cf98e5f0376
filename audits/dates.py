"""The one range of dates the app accepts, wherever a date comes in.

Forms, list filters, URL parameters (?as_of=), management-command options and the
models' own clean() (which every service runs through full_clean) all check against
EARLIEST_DATE .. latest_date(): from 平成元年1月8日 (the first day of the era the
oldest audits the app holds were done in, see MIN_FISCAL_YEAR) to ten years after
today. A date outside it is refused with the same Japanese message everywhere, so
nothing that the 和暦 printing or the reports cannot show is ever stored.
"""

from __future__ import annotations

import argparse
import datetime
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.html import format_html
from django.utils.safestring import SafeString

from audits.wareki import format_wareki, parse_wareki

EARLIEST_DATE = datetime.date(1989, 1, 8)  # 平成元年1月8日
YEARS_AHEAD = 10


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """Ten years after today (28 February for a 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def range_text(today: datetime.date | None = None) -> str:
    last = latest_date(today)
    return (
        f"{format_wareki(EARLIEST_DATE)}（{EARLIEST_DATE.isoformat()}）から"
        f"{format_wareki(last)}（{last.isoformat()}）まで"
    )


def out_of_range_message(label: str = "日付", today: datetime.date | None = None) -> str:
    return f"{label}は{range_text(today)}の日付を入力してください。"


def in_range(day: datetime.date, today: datetime.date | None = None) -> bool:
    return EARLIEST_DATE <= day <= latest_date(today)


def check_date(day: datetime.date | None, label: str = "日付") -> None:
    """ValidationError (code "date_out_of_range") unless day is None or in the range."""
    if day is not None and not in_range(day):
        raise ValidationError(out_of_range_message(label), code="date_out_of_range")


def check_model_dates(instance: models.Model) -> None:
    """For a model's clean(): every DateField of the instance in the range, errors keyed
    by field with the field's Japanese name."""
    errors: dict[str, str] = {}
    for field in instance._meta.get_fields():
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            value = getattr(instance, field.attname)
            if isinstance(value, datetime.date) and not in_range(value):
                errors[field.name] = out_of_range_message(str(field.verbose_name))
    if errors:
        raise ValidationError(errors)


@deconstructible
class DateRangeValidator:
    """A field validator; the label is the field's, so the message names it."""

    def __init__(self, label: str = "日付") -> None:
        self.label = label

    def __call__(self, value: datetime.date | None) -> None:
        check_date(value, self.label)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator) and other.label == self.label

    def __hash__(self) -> int:
        return hash(self.label)


# The spellings every date field takes, shown under its label (one parser reads them all).
DATE_HINT = "入力例: 令和3年9月30日、R3.9.30、H31.4.30、2021-09-30、2021/9/30（全角も可）"
# What the sentence under a field says the app will do with the date it understood.
PURPOSES = {"entry": "登録します", "filter": "絞り込みます", "report": "作成します"}


def understood_text(day: datetime.date, purpose: str = "entry") -> str:
    """ "令和3年9月30日（2021年9月30日）として登録します": what a date field read."""
    verb = PURPOSES.get(purpose, PURPOSES["entry"])
    return f"{format_wareki(day)}（{day.year}年{day.month}月{day.day}日）として{verb}"


def display_date(day: datetime.date) -> str:
    """A stored date as a date field shows it: 和暦, as on every document it is typed from."""
    try:
        return format_wareki(day)
    except ValueError:  # before 大正: never stored, but a form must still render
        return day.isoformat()


class DateInput(forms.TextInput):
    """The one date widget (the デジタル庁デザインシステム text-field pattern): a text field,
    never the browser's picker (its language and format change with the machine), that
    takes 和暦 and Gregorian spellings alike. Under the label a hint names the spellings;
    after the field an aria-live line says what was understood. static/js/date-input.js
    fills that line while typing from GET /dates/understand/ (the server's parser, so
    there is only one); without JavaScript the server renders it after a submit.

    A stored date is shown in 和暦 (令和3年9月30日), as on the paper a clerk copies
    from; the line under the field adds the Gregorian date, so neither reading is lost."""

    def __init__(
        self,
        attrs: dict[str, str] | None = None,
        *,
        purpose: str = "entry",
        label: str = "日付",
    ) -> None:
        super().__init__(
            attrs={
                "class": "input--medium",
                "autocomplete": "off",
                "spellcheck": "false",
                **(attrs or {}),
            }
        )
        self.purpose = purpose
        self.label = label

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return display_date(value)
        shown: str | None = super().format_value(value)
        return shown

    def understood(self, value: Any) -> str:
        if isinstance(value, datetime.date):
            return understood_text(value, self.purpose) if in_range(value) else ""
        if not isinstance(value, str) or not value.strip():
            return ""
        try:
            return understood_text(parse_date_text(value, self.label), self.purpose)
        except DateParameterError:
            return ""  # the field's own error says why

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        attrs = dict(attrs or {})
        input_id = attrs.get("id") or ""
        hint_id, understood_id = f"{input_id}_hint", f"{input_id}_understood"
        if input_id:
            described = attrs.get("aria-describedby", "").split()
            attrs["aria-describedby"] = " ".join([*described, hint_id, understood_id])
        attrs.update(
            {
                "data-date-input": "",
                "data-understand-url": str(reverse_lazy("date_understand")),
                "data-purpose": self.purpose,
                "data-label": self.label,
            }
        )
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '<p class="field__help date-input__hint"{}>{}</p>{}'
            '<p class="date-input__understood"{} aria-live="polite">{}</p>',
            format_html(' id="{}"', hint_id) if input_id else "",
            DATE_HINT,
            field,
            format_html(' id="{}"', understood_id) if input_id else "",
            # A field with an error says only the error, not a reading it then refuses.
            "" if attrs.get("aria-invalid") else self.understood(value),
        )


class BoundedDateField(forms.DateField):
    """forms.DateField that accepts only the app's range, with Japanese messages."""

    widget = DateInput

    def __init__(self, *, label: str = "日付", **kwargs: Any) -> None:
        messages = {
            "invalid": unreadable_date_message(str(label)),
            "required": f"{label}を入力してください。",
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        validators = [*kwargs.pop("validators", []), DateRangeValidator(str(label))]
        super().__init__(label=label, error_messages=messages, validators=validators, **kwargs)
        if isinstance(self.widget, DateInput):
            self.widget.label = str(label)

    def to_python(self, value: Any) -> datetime.date | None:
        """Every spelling parse_date_text reads (和暦, R3.9.30, 2021/9/30, full width). Out
        of range dates are left to the range validator, so its message names the field."""
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        day = read_date(str(value))
        if day is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class BoundedDateFilter(django_filters.DateFilter):
    """django-filter's DateFilter with the range check, for list filters."""

    field_class = BoundedDateField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput(purpose="filter"))
        super().__init__(*args, **kwargs)


class DateParameterError(ValueError):
    """A date in a URL parameter or on the command line that is unreadable or outside
    the range; str() is the Japanese message to show (views answer 400 with it)."""


# Dashes an IME may type for "-" (full-width and long-vowel marks among them).
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))
_GREGORIAN_RE = re.compile(
    r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)$"
)


def _normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC), and every dash to "-"."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


def read_date(text: str) -> datetime.date | None:
    """The date in text, whatever the spelling, or None: 2021-09-30, 2021/9/30,
    2021.9.30, 20210930, 2021年9月30日, 令和3年9月30日, 令和元年5月1日, R3.9.30,
    H31/4/30, and each of them in full-width characters. No range check."""
    text = _normalise(text)
    if not text:
        return None
    try:
        if text.isdigit() and len(text) == 8:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = _GREGORIAN_RE.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups() if g is not None)
            return datetime.date(year, month, day)
        return parse_wareki(text)
    except (ValueError, OverflowError):
        return None


def unreadable_date_message(label: str) -> str:
    """What a form field and a URL parameter say of a date they cannot read or that does
    not exist (2021-02-30, おととい): one wording for both."""
    return (
        f"{label}は 令和3年9月30日、R3.9.30、2021-09-30（YYYY-MM-DD）のような形の、"
        "実在する日付で入力してください。"
    )


def parse_date_text(text: str, label: str = "日付") -> datetime.date:
    """A date in any spelling read_date reads and in the range, or DateParameterError."""
    day = read_date(text)
    if day is None:
        raise DateParameterError(unreadable_date_message(label))
    if not in_range(day):
        raise DateParameterError(out_of_range_message(label))
    return day


def date_param(params: Mapping[str, Any], name: str, label: str = "日付") -> datetime.date | None:
    """The date in a URL parameter (None when absent or empty), or DateParameterError."""
    raw = params.get(name)
    if raw is None or not str(raw).strip():
        return None
    return parse_date_text(str(raw), label)


def command_date(option: str) -> Any:
    """An argparse type for a date option (--today, --as-of): the message names the
    option and the range, and the command exits with status 2, never a traceback."""

    def parse(text: str) -> datetime.date:
        try:
            return parse_date_text(text, option)
        except DateParameterError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse
