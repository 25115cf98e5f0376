"""Forms of the 管理者's pages. They read and check input; the services change data."""

from __future__ import annotations

from typing import Any

from django import forms

from audits.forms import DepartmentChoiceField, all_departments, date_field, form_field
from audits.models import Department, User
from audits.widgets import QuickSelect
from organisation.models import ReorganisationKind
from organisation.people import ROLE_CHOICES
from organisation.transfers import MAX_BYTES


def _text(label: str, max_length: int, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
        },
        **kwargs,
    )


class BureauChoiceField(forms.ModelChoiceField[Department]):
    def label_from_instance(self, obj: Department) -> str:
        return obj.name


class DepartmentForm(forms.Form):
    name = _text("名称", 100)
    code = _text("所属コード", 20, help_text="例: 101、soumu-jinji（重複不可）")
    parent = BureauChoiceField(
        label="上位の部局",
        queryset=Department.objects.none(),
        required=False,
        empty_label="（なし：部局として登録）",
        error_messages={"invalid_choice": "一覧にある部局を選んでください。"},
    )
    sort_order = forms.IntegerField(
        label="表示順",
        min_value=0,
        max_value=999999,
        initial=0,
        error_messages={
            "invalid": "表示順は数字で入力してください。",
            "min_value": "表示順は0以上にしてください。",
            "max_value": "表示順は999999以下にしてください。",
            "required": "表示順を入力してください。",
        },
    )
    correction = forms.BooleanField(
        label="誤りの訂正（旧名称を履歴に残さない）",
        required=False,
        help_text="名称や部局の変更は、通常は昨日までの名称として履歴に残り、過去の年度の報告に印刷されます。",
    )

    def __init__(self, *args: Any, editing: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bureaus = Department.objects.filter(parent__isnull=True, is_active=True)
        if editing is not None:
            bureaus = bureaus.exclude(pk=editing.pk)
        else:
            del self.fields["correction"]
        form_field(self, "parent", BureauChoiceField).queryset = bureaus.order_by(
            "sort_order", "code"
        )


class ReorganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label="改編の種類",
        choices=ReorganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "改編の種類を選んでください。",
            "invalid_choice": "改編の種類を一覧から選んでください。",
        },
    )
    effective_date = date_field(
        "発効日", required=True, help_text="例: 2025-04-01（この日から新しい組織）"
    )
    sources = DepartmentChoiceField(
        label="対象の所属", required_message="対象の所属を選んでください。"
    )
    targets = DepartmentChoiceField(
        label="後継の所属",
        required_message="",
        required=False,
        help_text="統合後・分割後・廃止後の所属（名称変更では空欄）。新しい課は先に「組織」で追加してください。",
    )
    new_name = _text("新しい名称", 100, required=False, help_text="名称変更のときだけ")
    new_parent = BureauChoiceField(
        label="新しい上位の部局",
        queryset=Department.objects.none(),
        required=False,
        empty_label="（変えない）",
        help_text="名称変更で部局を移すときだけ",
        error_messages={"invalid_choice": "一覧にある部局を選んでください。"},
    )
    note = _text("備考", 200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = all_departments()
        active = [d for d in departments if d.is_active]
        form_field(self, "sources", DepartmentChoiceField).set_departments(active, [])
        form_field(self, "targets", DepartmentChoiceField).set_departments(active, [])
        form_field(self, "new_parent", BureauChoiceField).queryset = Department.objects.filter(
            parent__isnull=True, is_active=True
        )


class PersonForm(forms.Form):
    username = _text("ログインID", 150, help_text="半角英数字と @ . + - _")
    display_name = _text("氏名", 100)
    employee_number = _text("職員番号", 20, required=False)
    email = forms.EmailField(
        label="メールアドレス",
        required=False,
        max_length=254,
        error_messages={"invalid": "メールアドレスの形式が正しくありません。"},
    )
    role = forms.ChoiceField(
        label="役割",
        choices=[("", "（なし：何も見られません）"), *ROLE_CHOICES],
        required=False,
        error_messages={"invalid_choice": "役割を一覧から選んでください。"},
    )
    departments = DepartmentChoiceField(
        label="所属",
        required_message="",
        required=False,
        help_text="所管課担当は、選んだすべての所属の指摘事項を担当します（複数可）。",
    )
    password1 = forms.CharField(
        label="初期パスワード",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="12文字以上。本人に安全な方法で伝え、ログイン後に変更してもらってください。",
        error_messages={"required": "初期パスワードを入力してください。"},
    )
    password2 = forms.CharField(
        label="初期パスワード（確認）",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "確認のため、もう一度入力してください。"},
    )

    def __init__(
        self, *args: Any, person: User | None = None, keep: list[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "departments", DepartmentChoiceField).set_departments(
            all_departments(), keep or []
        )
        if person is not None:
            del self.fields["password1"]
            del self.fields["password2"]

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"].strip()
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.+-_")
        if any(c not in allowed for c in value):
            raise forms.ValidationError("ログインIDは半角英数字と @ . + - _ で入力してください。")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password1" in self.fields:
            one, two = data.get("password1"), data.get("password2")
            if one and two and one != two:
                self.add_error("password2", "確認のパスワードが一致しません。")
        return data


class PasswordResetForm(forms.Form):
    password1 = PersonForm.base_fields["password1"]
    password2 = PersonForm.base_fields["password2"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "確認のパスワードが一致しません。")
        return data


class TransferUploadForm(forms.Form):
    file = forms.FileField(
        label="人事異動のファイル",
        help_text="Excel（.xlsx）または CSV。ひな形の列（職員番号、ログインID、氏名、新所属、役割、発令日）で。5MBまで。",
        error_messages={
            "required": "ファイルを選んでください。",
            "empty": "ファイルが空です。",
            "invalid": "ファイルを選んでください。",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（{upload.size / 1024 / 1024:.1f}MB）。5MB以下にしてください。"
            )
        return upload


class PersonSearchForm(forms.Form):
    q = forms.CharField(label="氏名・ログインID・職員番号", required=False, max_length=100)
    department = forms.ModelChoiceField(
        label="所属",
        queryset=Department.objects.none(),
        required=False,
        empty_label="すべて",
        error_messages={"invalid_choice": "選択肢にない値です。"},
        widget=QuickSelect,
    )
    role = forms.ChoiceField(
        label="役割",
        choices=[("", "すべて"), *ROLE_CHOICES],
        required=False,
        error_messages={"invalid_choice": "選択肢にない値です。"},
    )
    inactive = forms.BooleanField(
        label="無効なアカウントも表示",
        required=False,
        widget=forms.CheckboxInput(attrs={"value": "1"}),
    )
