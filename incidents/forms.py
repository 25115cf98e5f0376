"""Forms of the incident register. They read and check input; saving goes through
incidents.services, whose errors land beside the fields (audits.forms.attach_errors)."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.dates import EARLIEST_DATE, latest_date, out_of_range_message
from audits.forms import date_field, form_field, text_field
from audits.models import Department
from audits.wareki import ERA_BY_NAME, fiscal_year_of, format_fiscal_year
from incidents.access import reportable_departments
from incidents.models import CLASSIFICATIONS, Incident, IncidentType
from incidents.services import IncidentFields

LONG_TEXT_MAX = 5000
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－", "0123456789/-")
_ISO_MONTH = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{1,2})\s*$")
_WAREKI_MONTH = re.compile(r"^\s*(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*$")

if TYPE_CHECKING:
    from audits.access import AnyUser


class MonthInput(forms.TextInput):
    """The browser's month picker; it sends YYYY-MM (where there is no picker, a text box
    that also takes 和暦 such as 平成26年8月)."""

    input_type = "month"


def parse_month(text: str) -> datetime.date:
    """ "2014-08", "2014/8" or "平成26年8月" → the first day of that month."""
    value = text.translate(_FULLWIDTH)
    match = _ISO_MONTH.match(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    else:
        match = _WAREKI_MONTH.match(value)
        if not match:
            raise ValueError(text)
        era = ERA_BY_NAME[match.group(1)]
        era_year = 1 if match.group(2) == "元" else int(match.group(2))
        year, month = era.start.year + era_year - 1, int(match.group(3))
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        raise ValueError(text)
    return datetime.date(year, month, 1)


class MonthField(forms.CharField):
    widget = MonthInput

    def __init__(self, label: str, *, required: bool, help_text: str = "") -> None:
        super().__init__(
            label=label,
            required=required,
            help_text=help_text,
            error_messages={"required": f"{label}を入力してください。"},
        )
        self._label = label

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            if len(text) > 20:
                raise ValueError(text)
            month = parse_month(text)
        except ValueError:
            raise ValidationError(
                f"{self._label}は「2014-08」または「平成26年8月」の形で入力してください。",
                code="invalid",
            ) from None
        # The month is in range when any of its days is (平成元年1月 counts).
        if not (EARLIEST_DATE.replace(day=1) <= month <= latest_date()):
            raise ValidationError(out_of_range_message(self._label), code="out_of_range")
        return month

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return f"{value.year:04d}-{value.month:02d}"
        return value


def long_text(label: str, *, required: bool, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONG_TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": str(rows)}),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{LONG_TEXT_MAX}文字以内で入力してください。",
        },
    )


class DepartmentSelect(forms.ModelChoiceField[Department]):
    def label_from_instance(self, obj: Department) -> str:
        return obj.full_name


class IncidentForm(forms.Form):
    title = text_field("件名", 100)
    incident_type = forms.ModelChoiceField(
        label="種別",
        queryset=IncidentType.objects.all(),
        empty_label="選んでください",
        error_messages={
            "required": "種別を選んでください。",
            "invalid_choice": "選択肢にない種別です。一覧から選んでください。",
        },
    )
    department = DepartmentSelect(
        label="所管課",
        queryset=Department.objects.none(),
        empty_label="選んでください",
        error_messages={
            "required": "所管課を選んでください。",
            "invalid_choice": "選択肢にない所管課です。一覧から選んでください。",
        },
    )
    reported_on = date_field("報告日", required=True, help_text="この日の年度の登録簿に載ります。")
    occurred_from = MonthField("発生年月", required=True)
    occurred_to = MonthField(
        "発生年月（終わり）",
        required=False,
        help_text="複数の月にわたるときだけ入力します（例: 平成26年12月～平成27年5月）。",
    )
    record_count = forms.IntegerField(
        label="データ件数",
        required=False,
        min_value=0,
        max_value=2_000_000_000,
        error_messages={
            "invalid": "データ件数は数字で入力してください（例: 2352）。",
            "min_value": "データ件数は0以上の数にしてください。",
            "max_value": "データ件数が大きすぎます。",
        },
    )
    record_unit = forms.CharField(
        label="件数の単位",
        required=False,
        max_length=20,
        initial="件",
        help_text="例: 件、人分、件(枚)",
        error_messages={"max_length": "件数の単位は20文字以内で入力してください。"},
    )
    classifications = forms.MultipleChoiceField(
        label="分類",
        choices=CLASSIFICATIONS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "分類（機密性・完全性・可用性）を1つ以上選んでください。",
            "invalid_choice": "選択肢にない分類です。",
        },
    )
    summary = long_text("概要", required=True, rows=5)
    note = long_text(
        "補足説明（※）", required=False, rows=3, help_text="制度の説明など、※で添える注記"
    )
    cause = long_text("主な原因", required=True, rows=3)
    press_release_on = date_field("記者発表", required=False, help_text="記者発表をした日")
    citizen_response = long_text("市民対応", required=False, rows=3)

    def __init__(self, *args: Any, user: AnyUser, incident: Incident | None = None, **kwargs: Any):
        if incident is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(incident)
        super().__init__(*args, **kwargs)
        departments = form_field(self, "department", DepartmentSelect)
        departments.queryset = reportable_departments(user).order_by("sort_order", "code")
        if incident is None and not self.is_bound:
            # Staff report for their one department; the report is usually made the day it
            # is written.
            only = list(departments.queryset[:2])
            if len(only) == 1:
                self.initial.setdefault("department", only[0].pk)
            self.initial.setdefault("reported_on", timezone.localdate())
        if incident is None:
            self.fields["measures"] = long_text(
                "再発防止策",
                required=False,
                rows=4,
                help_text="1行に1つ。それぞれを措置状況の報告を受ける項目として追跡します。",
            )

    def incident_fields(self) -> IncidentFields:
        data = self.cleaned_data
        chosen = set(data["classifications"])
        return IncidentFields(
            title=data["title"],
            incident_type=data["incident_type"],
            department=data["department"],
            reported_on=data["reported_on"],
            occurred_from=data["occurred_from"],
            occurred_to=data["occurred_to"],
            record_count=data["record_count"],
            record_unit=data["record_unit"],
            confidentiality="confidentiality" in chosen,
            integrity="integrity" in chosen,
            availability="availability" in chosen,
            summary=data["summary"],
            note=data["note"],
            cause=data["cause"],
            press_release_on=data["press_release_on"],
            citizen_response=data["citizen_response"],
        )

    def measure_lines(self) -> list[str]:
        return str(self.cleaned_data.get("measures") or "").splitlines()


def initial_for(incident: Incident) -> dict[str, object]:
    return {
        "title": incident.title,
        "incident_type": incident.incident_type_id,
        "department": incident.department_id,
        "reported_on": incident.reported_on,
        "occurred_from": incident.occurred_from,
        "occurred_to": incident.occurred_to,
        "record_count": incident.record_count,
        "record_unit": incident.record_unit,
        "classifications": incident.classification_codes,
        "summary": incident.summary,
        "note": incident.note,
        "cause": incident.cause,
        "press_release_on": incident.press_release_on,
        "citizen_response": incident.citizen_response,
    }


class MeasureForm(forms.Form):
    text = long_text("再発防止策", required=True, rows=3)


class IncidentTypeForm(forms.Form):
    name = text_field("種別", 50)


def year_choices(years: list[int]) -> list[tuple[str, str]]:
    return [(str(y), format_fiscal_year(y)) for y in years]


class RegisterSelectionForm(forms.Form):
    """Which fiscal years the register shows: one year, or a run of years (to)."""

    fiscal_year = forms.TypedChoiceField(
        label="年度",
        coerce=int,
        error_messages={
            "required": "年度を選んでください。",
            "invalid_choice": "選択肢にない年度です。一覧から選んでください。",
        },
    )
    to = forms.TypedChoiceField(
        label="～年度まで",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "選択肢にない年度です。一覧から選んでください。"},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = year_choices(years)
        form_field(self, "fiscal_year", forms.TypedChoiceField).choices = choices
        form_field(self, "to", forms.TypedChoiceField).choices = [
            ("", "（この年度のみ）")
        ] + choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("fiscal_year"), data.get("to")
        if first is not None and last is not None and last < first:
            self.add_error("to", "終わりの年度は始めの年度以降にしてください。")
        return data

    def years(self) -> tuple[int, int]:
        first = int(self.cleaned_data["fiscal_year"])
        last = self.cleaned_data.get("to")
        return first, int(last) if last is not None else first


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())
