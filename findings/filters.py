"""The finding list's filter form. Every choice list is scoped to what the user may see.

A value the user may not choose (another department's id, an audit they cannot see,
fiscal_year=abc) is a form error shown beside the field, and the list then shows
nothing: a filtered-looking page must never silently show an unfiltered list, and a
tampered id must never widen what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from audits.access import visible_audits, visible_departments, visible_fiscal_years
from audits.forms import form_field, grouped_department_choices, narrow_audit_choices
from audits.wareki import format_fiscal_year
from audits.widgets import QuickSelect
from findings import search
from findings.models import Finding, FindingKind, FindingQuerySet
from remediation.models import RemediationStatus

if TYPE_CHECKING:
    from audits.access import AnyUser

INVALID_CHOICE = "選択肢にない値です。一覧から選び直してください。"
STATUS_OPEN = "open"
STATUS_UNREPORTED = "unreported"

# o=<key>: how the list may be sorted. The default (no o) is the printed order.
ORDERINGS: dict[str, str] = {
    "print": "番号順（報告書の順）",
    "-audit": "監査（新しい順）",
    "audit": "監査（古い順）",
    "due": "措置期限（早い順）",
    "-due": "措置期限（遅い順）",
    "-status_date": "状況の日付（新しい順）",
    "status_date": "状況の日付（古い順）",
}


def _print_order() -> tuple[Any, ...]:
    return tuple(Finding.objects.in_print_order().query.order_by)


def _leaves(queryset: FindingQuerySet) -> FindingQuerySet:
    return queryset.counted()


class FindingOrderingFilter(django_filters.OrderingFilter):
    """OrderingFilter whose keys map to whole orderings, each ending in the printed
    order so findings of one audit always keep their report sequence."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", list(ORDERINGS.items()))
        kwargs.setdefault("fields", {})
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Finding], value: list[str] | None) -> QuerySet[Finding]:
        key = value[0] if value else "print"
        by_audit = (F("audit__fiscal_year").desc(), F("audit__period_start").desc())
        prefix: tuple[Any, ...] = {
            "print": (),
            "-audit": by_audit,
            "audit": (F("audit__fiscal_year").asc(), F("audit__period_start").asc()),
            "due": (F("due_date").asc(nulls_last=True),),
            "-due": (F("due_date").desc(nulls_last=True),),
            "status_date": (F("status_date_now").asc(nulls_first=True),),
            "-status_date": (F("status_date_now").desc(nulls_last=True),),
        }.get(key, ())
        return qs.order_by(*prefix, *_print_order())


class FindingFilter(django_filters.FilterSet):
    """FindingFilter(request.GET, queryset=visible_findings(user).with_status(), user=user)"""

    fiscal_year = django_filters.ChoiceFilter(
        label="年度", field_name="audit__fiscal_year", empty_label="すべて", widget=QuickSelect
    )
    audit = django_filters.ModelChoiceFilter(
        label="監査", queryset=None, empty_label="すべて", field_name="audit", widget=QuickSelect
    )
    kind = django_filters.ModelChoiceFilter(
        label="区分",
        queryset=FindingKind.objects.all(),
        empty_label="すべて",
        field_name="kind",
        widget=QuickSelect,
    )
    department = django_filters.ModelChoiceFilter(
        label="担当所属",
        queryset=None,
        empty_label="すべて",
        method="filter_department",
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label="現在の状況", empty_label="すべて", method="filter_status", widget=QuickSelect
    )
    overdue = django_filters.BooleanFilter(
        label="期限を過ぎた未完了のみ",
        method="filter_overdue",
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
    q = django_filters.CharFilter(label="キーワード", method="filter_text", max_length=200)
    o = FindingOrderingFilter(label="並び順", empty_label=None, widget=QuickSelect)

    class Meta:
        model = Finding
        fields: list[str] = []

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        audits = visible_audits(user)
        years = visible_fiscal_years(user)
        form = self.form
        form_field(form, "fiscal_year", forms.ChoiceField).choices = [("", "すべて")] + [
            (str(y), format_fiscal_year(y)) for y in years
        ]
        form_field(form, "audit", forms.ModelChoiceField).queryset = audits
        narrow_audit_choices(form, audits, years, "すべて")
        department = form_field(form, "department", forms.ModelChoiceField)
        department.queryset = visible_departments(user).select_related("parent")
        # Rendered grouped by 部局; validation still goes through the queryset.
        department.widget.choices = grouped_department_choices(department.queryset, "すべて")
        # Kept typed for reports.forms, which names the chosen status in a report's title.
        self.status_choices: list[tuple[str, str]] = [
            ("", "すべて"),
            (STATUS_OPEN, "未完了（措置済以外・未報告を含む）"),
            (STATUS_UNREPORTED, "未報告"),
        ] + [(str(s.pk), s.name) for s in RemediationStatus.objects.all()]
        form_field(form, "status", forms.ChoiceField).choices = self.status_choices
        form_field(form, "o", forms.ChoiceField).choices = list(ORDERINGS.items())
        fields = form.fields
        for field in fields.values():
            field.error_messages["invalid_choice"] = INVALID_CHOICE
            field.required = False
        fields["q"].error_messages["max_length"] = "キーワードは200文字以内で入力してください。"
        fields["q"].widget.input_type = "search"

    @property
    def is_rejected(self) -> bool:
        """True when a value was refused: the list then shows nothing."""
        return self.is_bound and not self.form.is_valid()

    def filter_queryset(self, queryset: QuerySet[Finding]) -> QuerySet[Finding]:
        if not self.form.is_valid():
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("o"):
            queryset = self.filters["o"].filter(queryset, None)
        return queryset

    @property
    def qs(self) -> QuerySet[Finding]:
        if not self.is_bound:
            # An unbound filter still sorts in print order.
            if not hasattr(self, "_qs"):
                base = self.queryset
                assert base is not None  # FilterSet.__init__ falls back to the model's
                self._qs = self.filters["o"].filter(base.all(), None)
            return self._qs
        return super().qs

    def filter_department(self, queryset: FindingQuerySet, name: str, value: Any) -> Any:
        if value is None:
            return queryset
        addressed = Finding.departments.through.objects.filter(
            finding=OuterRef("pk"), department=value
        )
        return queryset.filter(Exists(addressed))

    def filter_status(self, queryset: FindingQuerySet, name: str, value: str) -> Any:
        if not value:
            return queryset
        # A parent only introduces its sub-items and has no status of its own: a status
        # filter selects the findings that take entries (as the dashboard counts them).
        queryset = _leaves(queryset)
        if value == STATUS_OPEN:
            return queryset.open()
        if value == STATUS_UNREPORTED:
            # Q objects: the annotation is no model field, so django-stubs cannot check it.
            return queryset.filter(Q(status_id_now__isnull=True))
        return queryset.filter(Q(status_id_now=int(value)))

    def filter_overdue(self, queryset: FindingQuerySet, name: str, value: bool | None) -> Any:
        if not value:
            return queryset
        return _leaves(queryset).open().filter(due_date__lt=timezone.localdate())

    def filter_text(self, queryset: FindingQuerySet, name: str, value: str) -> Any:
        # Title, body, viewpoint and entry texts, normalised (findings.search): サーバー
        # finds サーバ, ＵＳＢ finds usb; every whitespace-separated term must match.
        return search.matching(queryset, value)
