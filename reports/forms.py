"""The one place a report selection is read from user input: the preview page, the
downloads and the export_report command all go through ReportSelectionForm.

Choices are scoped with the access helpers, so a department's staff asking for an
audit or a department they may not see gets a field error, never a wider report.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import QueryDict

from audits.access import visible_audits, visible_departments, visible_fiscal_years
from audits.dates import DateInput, DateParameterError, parse_date_text
from audits.forms import form_field, grouped_department_choices, narrow_audit_choices
from audits.models import Audit, Department
from audits.wareki import format_fiscal_year, parse_fiscal_year
from audits.widgets import QuickSelect
from findings.access import visible_findings
from findings.models import Finding, FindingQuerySet, StatusBasis
from reports.builder import Report, Selection, build_report

if TYPE_CHECKING:
    from audits.access import AnyUser
    from findings.filters import FindingFilter

INVALID_CHOICE = "選択肢にない値です。一覧から選び直してください。"
# Finding-list filters (findings.filters.FindingFilter) that narrow a report further.
# fiscal_year, audit and department are this form's own fields; o (ordering) does not
# apply: a report is always in printed order.
NARROWING_PARAMS = ("kind", "status", "overdue", "q")


class AuditChoiceField(forms.ModelChoiceField[Audit]):
    widget = QuickSelect

    def label_from_instance(self, obj: Audit) -> str:
        return str(obj)


class DepartmentChoiceField(forms.ModelChoiceField[Department]):
    widget = QuickSelect

    def label_from_instance(self, obj: Department) -> str:
        return obj.full_name if obj.is_active else f"{obj.full_name}（廃止）"


class FiscalYearField(forms.TypedChoiceField):
    """2020, or 令和2年度 / 令和２年度 as people type it."""

    widget = QuickSelect

    def to_python(self, value: Any) -> str:
        text: str = super().to_python(value)
        if text and not text.isdigit():
            try:
                return str(parse_fiscal_year(text))
            except ValueError:
                return text  # left for the choice check to refuse
        return text


def parse_report_date(text: str) -> datetime.date:
    """YYYY-MM-DD or a 和暦 date (令和3年9月30日) in the app's range; ValueError
    (DateParameterError, whose text is the message) otherwise."""
    return parse_date_text(text, "基準日")


class ReportSelectionForm(forms.Form):
    audit = AuditChoiceField(
        label="監査", queryset=Audit.objects.none(), required=False, empty_label="すべて"
    )
    fiscal_year = FiscalYearField(label="年度", required=False, coerce=int, empty_value=None)
    department = DepartmentChoiceField(
        label="担当所属", queryset=Department.objects.none(), required=False, empty_label="すべて"
    )
    open_only = forms.BooleanField(
        label="未措置のみ（措置済を除く）",
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    basis = forms.ChoiceField(
        label="版",
        required=False,
        choices=StatusBasis.choices,
        initial=StatusBasis.ACCEPTED,
        widget=forms.RadioSelect,
        help_text="公表する報告は公表版（監査委員事務局が受理した報告のみ）。作業版は審査待ちの報告も載せます。",
    )
    as_of = forms.CharField(
        label="基準日",
        required=False,
        max_length=30,
        help_text="空欄は最新の状況です。",
        widget=DateInput(purpose="report", label="基準日"),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("basis"):
            # The published version unless asked otherwise: shown checked, as it applies.
            data = QueryDict(mutable=True)
            for key in self.data:
                values = self.data.getlist(key) if isinstance(self.data, QueryDict) else None
                if values is not None:
                    data.setlist(key, values)
                else:
                    data[key] = self.data[key]
            data["basis"] = StatusBasis.ACCEPTED
            self.data = data
        self.user = user
        audits = visible_audits(user)
        years = visible_fiscal_years(user)
        form_field(self, "fiscal_year", FiscalYearField).choices = [("", "すべて")] + [
            (str(y), format_fiscal_year(y)) for y in years
        ]
        form_field(self, "audit", AuditChoiceField).queryset = audits.prefetch_related("kinds")
        narrow_audit_choices(self, audits, years, "すべて")
        department = form_field(self, "department", DepartmentChoiceField)
        department.queryset = visible_departments(user).select_related("parent")
        # Rendered grouped by 部局; validation still goes through the queryset.
        department.widget.choices = grouped_department_choices(department.queryset, "すべて")
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = INVALID_CHOICE
        self.fields["as_of"].error_messages["max_length"] = "基準日は30文字以内で入力してください。"
        self.finding_filter = self._finding_filter()

    def _finding_filter(self) -> FindingFilter | None:
        """The finding list's own filter over the narrowing params, when any is given."""
        if not self.is_bound or not any(self.data.get(k) for k in NARROWING_PARAMS):
            return None
        try:
            from findings.filters import FindingFilter
        except ImportError:  # pragma: no cover - the finding list ships its filter
            return None
        data = {k: self.data.get(k) for k in NARROWING_PARAMS if self.data.get(k)}
        return FindingFilter(data, queryset=Finding.objects.none(), user=self.user)

    def clean_as_of(self) -> datetime.date | None:
        text = self.cleaned_data.get("as_of", "")
        if not text.strip():
            return None
        try:
            return parse_report_date(text)
        except DateParameterError as error:
            raise forms.ValidationError(str(error), code="invalid_date") from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.finding_filter is not None and not self.finding_filter.form.is_valid():
            for name, errors in self.finding_filter.form.errors.items():
                for error in errors:
                    self.add_error(None, f"{self.finding_filter.form.fields[name].label}: {error}")
        return cleaned

    @property
    def narrowing_fields(self) -> list[forms.BoundField]:
        return (
            [self.finding_filter.form[k] for k in NARROWING_PARAMS] if self.finding_filter else []
        )

    def selection(self) -> Selection:
        """Only after is_valid()."""
        data = self.cleaned_data
        return Selection(
            audit_id=data["audit"].pk if data.get("audit") else None,
            fiscal_year=data.get("fiscal_year"),
            department_id=data["department"].pk if data.get("department") else None,
            open_only=bool(data.get("open_only")),
            as_of=data.get("as_of"),
            basis=data.get("basis") or StatusBasis.ACCEPTED,
        )

    def findings(self) -> FindingQuerySet | None:
        """The finding-list narrowing as a base queryset for build_report, or None.

        The filter runs on the user's visible findings with the status as of the
        report date, so "status=検討中" means 検討中 on that date, like the report says.
        """
        if self.finding_filter is None:
            return None
        selection = self.selection()
        self.finding_filter.queryset = visible_findings(self.user).with_status(
            selection.as_of, selection.basis
        )
        chosen = self.finding_filter.qs.order_by().values("pk")
        return Finding.objects.filter(pk__in=chosen)

    def narrowing_label(self) -> str:
        """ "区分: 指摘・現在の状況: 検討中・キーワード「サーバ」" for the report's selection line."""
        if self.finding_filter is None or not self.finding_filter.form.is_valid():
            return ""
        form = self.finding_filter.form
        status_choices = dict(self.finding_filter.status_choices)
        parts = []
        for name in NARROWING_PARAMS:
            value = form.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if name == "q":
                parts.append(f"キーワード「{value}」")
            elif name == "overdue":
                parts.append("期限超過のみ")
            elif name == "status":
                parts.append(f"{form.fields[name].label}: {status_choices.get(value, value)}")
            else:
                parts.append(f"{form.fields[name].label}: {value}")
        return "・".join(parts)

    def build(self) -> Report:
        """The report this valid form selects, as the user may see it."""
        report = build_report(self.user, self.selection(), self.findings())
        narrowing = self.narrowing_label()
        if narrowing:
            label = "・".join(p for p in (report.selection_label, narrowing) if p)
            report = dataclasses.replace(report, selection_label=label)
        return report
