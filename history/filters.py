"""The log page's filters: who, what (kind of record, one record, one finding), which
operation, through which door, and when (from–to, inclusive). A malformed value (a date
like 2021-13-40, an unknown user id, letters for an id) is a form error beside the field
and the page then lists nothing: a filtered-looking page never shows an unfiltered log."""

from __future__ import annotations

from typing import Any

import django_filters
from auditlog.registry import auditlog
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from audits.dates import BoundedDateFilter
from audits.models import User
from history.models import Action, LogEntry, Source

INVALID_CHOICE = "選択肢にない値です。一覧から選び直してください。"
INVALID_NUMBER = "番号は半角数字で入力してください。"
INVALID_DATE = "日付は 2021-09-30 の形で入力してください。"
MAX_ID = 2**63 - 1


def tracked_content_types() -> QuerySet[ContentType]:
    """The kinds of record the log can hold, as a choice list."""
    models = [*auditlog.get_models()]
    wanted = Q(pk__in=[])
    for model in models:
        wanted |= Q(app_label=model._meta.app_label, model=model._meta.model_name)
    return ContentType.objects.filter(wanted).order_by("app_label", "model")


class ContentTypeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        model = obj.model_class()
        return str(model._meta.verbose_name) if model is not None else str(obj)


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_username()}）"


class LogFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label="実行者", queryset=User.objects.none(), empty_label="すべて"
    )
    content_type = django_filters.ModelChoiceFilter(
        label="記録の種類",
        queryset=ContentType.objects.none(),
        empty_label="すべて",
    )
    object_id = django_filters.NumberFilter(
        label="記録のID",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    finding = django_filters.NumberFilter(
        label="指摘事項のID",
        field_name="finding_id",
        min_value=1,
        max_value=MAX_ID,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    action = django_filters.ChoiceFilter(label="操作", choices=Action.choices, empty_label="すべて")
    source = django_filters.ChoiceFilter(label="経路", choices=Source.choices, empty_label="すべて")
    date_from = BoundedDateFilter(
        label="期間（から）", field_name="timestamp", lookup_expr="date__gte"
    )
    date_to = BoundedDateFilter(
        label="期間（まで）", field_name="timestamp", lookup_expr="date__lte"
    )

    class Meta:
        model = LogEntry
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form = self.form
        form.fields["actor"] = UserChoiceField(
            queryset=User.objects.order_by("username"),
            required=False,
            empty_label="すべて",
            label=form.fields["actor"].label,
        )
        form.fields["content_type"] = ContentTypeChoiceField(
            queryset=tracked_content_types(),
            required=False,
            empty_label="すべて",
            label=form.fields["content_type"].label,
        )
        for name in ("actor", "content_type", "action", "source"):
            form.fields[name].error_messages["invalid_choice"] = INVALID_CHOICE
        for name in ("object_id", "finding"):
            messages = form.fields[name].error_messages
            messages["invalid"] = INVALID_NUMBER
            messages["min_value"] = "番号は1以上で入力してください。"
            messages["max_value"] = "番号が大きすぎます。"
        for name in ("date_from", "date_to"):
            form.fields[name].error_messages["invalid"] = INVALID_DATE

    def filter_queryset(self, queryset: QuerySet[LogEntry]) -> QuerySet[LogEntry]:
        form = self.form
        if not form.is_valid():
            return queryset.none()
        date_from = form.cleaned_data.get("date_from")
        date_to = form.cleaned_data.get("date_to")
        if date_from and date_to and date_from > date_to:
            form.add_error("date_to", "期間の終わりは始まりより後の日付にしてください。")
            return queryset.none()
        return super().filter_queryset(queryset)
