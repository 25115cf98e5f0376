"""Forms of the self-inspection pages. Every message is Japanese and sits by its field."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms

from audits.forms import (
    DepartmentChoiceField,
    all_departments,
    date_field,
    department_field,
    fiscal_year_choices,
    form_field,
    text_field,
)
from inspections.models import (
    AnswerOption,
    Checklist,
    ChecklistCategory,
    ChecklistItem,
    InspectionResponse,
    OptionMeaning,
    RoundKind,
)
from inspections.services import AnswerInput, OptionSpec

TEXT_MAX = 2000


def year_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="年度",
        coerce=int,
        choices=fiscal_year_choices(),
        error_messages={
            "required": "年度を選んでください。",
            "invalid_choice": "選択肢にない年度です。一覧から選んでください。",
        },
    )


def long_text(label: str, *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{TEXT_MAX}文字以内で入力してください。",
        },
    )


class ChecklistForm(forms.Form):
    fiscal_year = year_field()
    name = text_field("名称", 200)


class CategoryForm(forms.Form):
    prefix = "category"
    number = text_field("番号", 5)
    title = text_field("見出し", 200)
    description = long_text("取組みの内容")


OPTIONS_HELP = (
    "1行に1つ。行末に「*」を付けた選択肢は課題あり（指摘事項になる）、「-」は該当なし"
    "（分母から除く）、「~」は課題なしだが件数に数えない回答。印のない選択肢は「実施」として数えます。"
)


class OptionChoiceField(forms.ModelChoiceField[AnswerOption]):
    def label_from_instance(self, obj: AnswerOption) -> str:
        item = obj.item
        return f"{item.category.number}{item.number} {item.question[:30]} →「{obj.label}」"


class ItemForm(forms.Form):
    category: forms.ModelChoiceField[ChecklistCategory] = forms.ModelChoiceField(
        label="分類",
        queryset=ChecklistCategory.objects.none(),
        empty_label=None,
        error_messages={
            "required": "分類を選んでください。",
            "invalid_choice": "選択肢にない分類です。一覧から選んでください。",
        },
    )
    number = text_field("番号", 5)
    question = long_text("点検項目", required=True, rows=2)
    result_phrase = text_field("結果の書き方", 100)
    options = long_text("回答の選択肢", required=True, rows=4)
    allows_other_text = forms.BooleanField(label="「その他の対応」を記入できる", required=False)
    applies_to = department_field("対象の所属（選ばなければ全所属）", "所属を選んでください。")
    depends_on: forms.ModelChoiceField[AnswerOption] = OptionChoiceField(
        label="前提となる回答",
        queryset=AnswerOption.objects.none(),
        required=False,
        empty_label="（なし：対象の所属すべてが答える）",
        error_messages={"invalid_choice": "選択肢にない回答です。一覧から選んでください。"},
    )
    denominator_label = text_field("分母の呼び方", 30, required=False)

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"options": "実施\n一部実施*\n未実施*\n該当なし-", "allows_other_text": True},
        )
        super().__init__(*args, **kwargs)
        self.fields["options"].help_text = OPTIONS_HELP
        self.fields[
            "result_phrase"
        ].help_text = "例: 巡回が実施されている（「150のうち144の部署で巡回が実施されている。」）"
        self.fields[
            "denominator_label"
        ].help_text = "前提となる回答があるとき。例: メモ禁止（「メモ禁止62のうち42…」）"
        form_field(self, "category", forms.ModelChoiceField).queryset = checklist.categories.all()
        form_field(self, "depends_on", OptionChoiceField).queryset = (
            AnswerOption.objects.filter(item__category__checklist=checklist)
            .select_related("item__category")
            .order_by("item__category__sort_order", "item__sort_order", "sort_order")
        )
        applies = form_field(self, "applies_to", DepartmentChoiceField)
        applies.required = False
        applies.set_departments(all_departments(), [])

    def clean_options(self) -> list[OptionSpec]:
        marks = {
            "*": OptionMeaning.ISSUE,
            "-": OptionMeaning.NOT_APPLICABLE,
            "~": OptionMeaning.NEUTRAL,
        }
        specs = []
        for raw in str(self.cleaned_data.get("options") or "").splitlines():
            line = raw.strip()
            if not line:
                continue
            meaning = marks.get(line[-1], OptionMeaning.DONE)
            label = line[:-1].strip() if line[-1] in marks else line
            if not label:
                raise forms.ValidationError(
                    "印だけの行があります。選択肢の文字を入力してください。"
                )
            if len(label) > 50:
                raise forms.ValidationError("選択肢は1つ50文字以内で入力してください。")
            specs.append(OptionSpec(label, meaning))
        return specs


class CopyForm(forms.Form):
    fiscal_year = year_field()
    name = text_field("新しい点検票の名称", 200)


class RoundForm(forms.Form):
    name = text_field("名称", 200)
    fiscal_year = year_field()
    kind = forms.ChoiceField(
        label="種類",
        choices=RoundKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "種類を選んでください。",
            "invalid_choice": "選択肢にない種類です。",
        },
    )
    checklist: forms.ModelChoiceField[Checklist] = forms.ModelChoiceField(
        label="点検票",
        queryset=Checklist.objects.none(),
        error_messages={
            "required": "点検票を選んでください。",
            "invalid_choice": "選択肢にない点検票です。一覧から選んでください。",
        },
    )
    all_sections = forms.BooleanField(
        label="現存するすべての課を対象にする（下の選択は不要）", required=False
    )
    departments = department_field("対象の所属", "対象の所属を1つ以上選んでください。")
    start_date = date_field("開始日", required=True)
    deadline = date_field("回答期限", required=True)
    purpose = long_text("目的")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "checklist", forms.ModelChoiceField).queryset = Checklist.objects.all()
        departments = form_field(self, "departments", DepartmentChoiceField)
        departments.set_departments(all_departments(), [])
        departments.required = False
        departments.help_text = "自己点検は通常すべての課。調査は対象の部署を選びます。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: datetime.date | None = data.get("start_date")
        deadline: datetime.date | None = data.get("deadline")
        if start and deadline and deadline < start:
            self.add_error("deadline", "回答期限は開始日以降の日付にしてください。")
        if data.pop("all_sections", False):
            data["departments"] = [d for d in all_departments() if d.is_active and d.parent_id]
        elif not data.get("departments") and "departments" not in self.errors:
            self.add_error("departments", "対象の所属を1つ以上選んでください。")
        return data


class ResponseForm(forms.Form):
    """One radio group per item the department answers, and その他の対応 where allowed."""

    def __init__(
        self,
        *args: Any,
        items: Sequence[ChecklistItem],
        response: InspectionResponse | None,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        if response is not None:
            for answer in response.answers.all():
                initial[f"item_{answer.item_id}"] = (
                    str(answer.option_id) if answer.option_id else ""
                )
                initial[f"other_{answer.item_id}"] = answer.other_text
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=f"{item.category.number}{item.number} {item.question}",
                choices=[(str(o.pk), o.label) for o in item.options.all()],
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "選択肢にない回答です。一覧から選んでください。"},
            )
            if item.allows_other_text:
                self.fields[f"other_{item.pk}"] = long_text("その他の対応", rows=2)

    def answers(self) -> dict[int, AnswerInput]:
        result = {}
        for item in self.items:
            raw = self.cleaned_data.get(f"item_{item.pk}") or ""
            result[item.pk] = AnswerInput(
                int(raw) if raw else None, self.cleaned_data.get(f"other_{item.pk}") or ""
            )
        return result

    def rows(self) -> list[tuple[ChecklistItem, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                item,
                self[f"item_{item.pk}"],
                self[f"other_{item.pk}"] if item.allows_other_text else None,
            )
            for item in self.items
        ]


class ReturnForm(forms.Form):
    reason = long_text("差戻しの理由", required=True)


class NoteForm(forms.Form):
    picked = forms.MultipleChoiceField(
        label="受け取った「その他の対応」から選ぶ",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "選択肢にない回答です。一覧から選んでください。"},
    )
    other_lines = long_text("その他の対応（主な回答）", rows=4)
    direction = long_text("今後の方向性", rows=4)

    def __init__(self, *args: Any, free_texts: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        picked = form_field(self, "picked", forms.MultipleChoiceField)
        picked.choices = [(text, text) for text in free_texts]
        self.fields["other_lines"].help_text = "1行に1つ。選んだ回答はこの後ろに加わります。"
        self.fields["direction"].help_text = "1行に1つ。「・」を付けて印刷します。"

    def joined_lines(self) -> str:
        lines = [line for line in (self.cleaned_data.get("other_lines") or "").splitlines()]
        for text in self.cleaned_data.get("picked") or []:
            if text not in lines:
                lines.append(" ".join(text.split()))
        return "\n".join(lines)


class VisitForm(forms.Form):
    name = text_field("名称", 200)
    fiscal_year = year_field()
    departments = department_field("訪問する所属", "訪問する所属を1つ以上選んでください。")
    visit_date = date_field("訪問日", required=False)
    selection_note = long_text("選び方")

    def __init__(self, *args: Any, suggested: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "departments", DepartmentChoiceField).set_departments(
            all_departments(), []
        )
        if suggested and not self.is_bound:
            self.initial["departments"] = [str(pk) for pk in suggested]
