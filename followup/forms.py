"""The form an auditor opens a reporting round with, and the review of one entry."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from audits.access import visible_audits
from audits.forms import date_field, fiscal_year_choices, form_field
from audits.models import Audit, User
from remediation.models import ReviewDecision


class AuditChoice(forms.ModelChoiceField[Audit]):
    def label_from_instance(self, obj: Audit) -> str:
        return str(obj)


class RoundForm(forms.Form):
    name = forms.CharField(
        label="照会の名称",
        max_length=200,
        help_text="例: 令和3年9月30日現在の措置状況の照会",
        error_messages={
            "required": "照会の名称を入力してください。",
            "max_length": "照会の名称は200文字以内で入力してください。",
        },
    )
    audit = AuditChoice(
        label="監査",
        queryset=Audit.objects.none(),
        required=False,
        empty_label="（年度で選ぶ）",
        help_text="この監査の未完了の指摘事項を照会します。",
        error_messages={"invalid_choice": "選択肢にない監査です。一覧から選んでください。"},
    )
    fiscal_year = forms.TypedChoiceField(
        label="年度",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="監査を選ばないとき、この年度の監査の未完了の指摘事項すべてを照会します。",
        error_messages={"invalid_choice": "選択肢にない年度です。一覧から選んでください。"},
    )
    base_date = date_field(
        "基準日", required=True, help_text="この日現在の状況を報告してもらいます。"
    )
    deadline = date_field("報告期限", required=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "audit", AuditChoice).queryset = (
            visible_audits(user).prefetch_related("kinds").order_by("-fiscal_year", "-id")
        )
        form_field(self, "fiscal_year", forms.TypedChoiceField).choices = [
            ("", "（監査で選ぶ）"),
            *fiscal_year_choices(),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("audit") and data.get("fiscal_year") is None and not self.errors:
            self.add_error("audit", "監査か年度のどちらかを選んでください。")
        base: datetime.date | None = data.get("base_date")
        deadline: datetime.date | None = data.get("deadline")
        if base and deadline and deadline < base:
            self.add_error("deadline", "報告期限は基準日以降の日付にしてください。")
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="審査結果",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "受理か差戻しを選んでください。",
            "invalid_choice": "受理か差戻しを選んでください。",
        },
    )
    reason = forms.CharField(
        label="差戻しの理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="差戻しのときは必須。所管課の画面に表示されます。",
        error_messages={"max_length": "差戻しの理由は2000文字以内で入力してください。"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") == ReviewDecision.RETURNED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", "差戻しの理由を入力してください（所管課に表示されます）。")
        return data
