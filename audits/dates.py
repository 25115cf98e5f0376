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
from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from audits.wareki import format_wareki

EARLIEST_DATE = datetime.date(1989, 1, 8)  # 平成元年1月8日
YEARS_AHEAD = 10
INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]


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


class DateInput(forms.DateInput):
    """A native date picker; the browser sends YYYY-MM-DD whatever the display."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        # min keeps the picker from offering older days; the server checks both ends.
        super().__init__(
            attrs={"min": EARLIEST_DATE.isoformat(), **(attrs or {})}, format="%Y-%m-%d"
        )


class BoundedDateField(forms.DateField):
    """forms.DateField that accepts only the app's range, with Japanese messages."""

    widget = DateInput

    def __init__(self, *, label: str = "日付", **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", INPUT_FORMATS)
        messages = {
            "invalid": "正しい日付を入力してください（存在しない日付です。例: 2021-05-31）。",
            "required": f"{label}を入力してください。",
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        validators = [*kwargs.pop("validators", []), DateRangeValidator(str(label))]
        super().__init__(label=label, error_messages=messages, validators=validators, **kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except OverflowError:  # a year past 9999 typed by hand
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class BoundedDateFilter(django_filters.DateFilter):
    """django-filter's DateFilter with the range check, for list filters."""

    field_class = BoundedDateField


class DateParameterError(ValueError):
    """A date in a URL parameter or on the command line that is unreadable or outside
    the range; str() is the Japanese message to show (views answer 400 with it)."""


def parse_date_text(text: str, label: str = "日付") -> datetime.date:
    """YYYY-MM-DD or a 和暦 date (令和3年9月30日) in the range, or DateParameterError."""
    from audits.wareki import parse_wareki

    text = text.strip()
    try:
        day = datetime.date.fromisoformat(text) if text[:1].isdigit() else parse_wareki(text)
    except (ValueError, OverflowError):
        raise DateParameterError(
            f"{label}は 2021-09-30（YYYY-MM-DD）または 令和3年9月30日 の形の、"
            "実在する日付で入力してください。"
        ) from None
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
