from __future__ import annotations

from django import forms

from imports.reader import MAX_BYTES


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="措置状況のファイル（Excel）",
        help_text="CSV 出力と同じ列の .xlsx（ひな形の見出しの行のまま）。10MBまで。",
        error_messages={
            "required": "ファイルを選んでください。",
            "empty": "ファイルが空です。",
            "invalid": "ファイルを選んでください。",
        },
    )

    def clean_file(self) -> forms.Field:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（{upload.size / 1024 / 1024:.1f}MB）。10MB以下にしてください。"
            )
        return upload  # type: ignore[no-any-return]
