from __future__ import annotations

from django import forms

from accounts.mfa import normalise_code
from audits.models import User


class CodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード",
        max_length=32,
        help_text="認証アプリに表示されている6桁の数字を入力してください。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("確認コードを入力してください。")
        return code


class VerifyForm(CodeForm):
    """At sign-in: the app's code, or one of the recovery codes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].help_text = (
            "認証アプリに表示されている6桁の数字を入力してください。"
            "スマートフォンが手元にないときは、回復コードを1つ入力できます（各コードは1回限り）。"
        )
        self.fields["code"].widget.attrs["inputmode"] = "text"


class UnlockForm(forms.Form):
    """Which lock to lift: a login name or an address (exactly one)."""

    username = forms.CharField(required=False, max_length=150)
    address = forms.GenericIPAddressField(required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("username")) == bool(data.get("address")):
            raise forms.ValidationError("解除するログイン名かアドレスを1つ指定してください。")
        return data


class ResetSecondFactorForm(forms.Form):
    username = forms.CharField(label="ログイン名", max_length=150)

    def user(self) -> User | None:
        return User.objects.filter(username=self.cleaned_data["username"]).first()
