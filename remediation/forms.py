"""The form a department (or an auditor) fills in to record a remediation entry."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.dates import BoundedDateField
from audits.forms import form_field
from findings.models import Finding
from remediation.files import ALLOWED_DESCRIPTION, check_upload
from remediation.models import CONTENT_MAX_CHARS, RemediationStatus
from remediation.services import CheckedFile, entry_date_error

MAX_FILES = 10
CHOOSE_FILES_AGAIN = "ファイルは送信し直す必要があります。もう一度選択してください。"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """<input type=file multiple>: cleans to a list of uploads (possibly empty)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]


class EntryForm(forms.Form):
    status = forms.ModelChoiceField(
        label="状況",
        queryset=RemediationStatus.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "状況を選んでください。",
            "invalid_choice": "選択肢にない状況です。もう一度選んでください。",
        },
    )
    entry_date = BoundedDateField(
        label="措置日",
        help_text="措置を講じた日、または状況を確認した日。未来の日付は指定できません。",
        error_messages={
            "invalid": "存在する日付を入力してください（例: 令和3年5月31日、2021-05-31）。"
        },
    )
    content = forms.CharField(
        label="措置（具体的内容）・対応状況",
        help_text=f"講じた措置や検討の状況を具体的に記入してください（{CONTENT_MAX_CHARS}文字以内）。",
        max_length=CONTENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "措置の内容を入力してください。",
            "max_length": (
                "措置の内容は%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。"
            ),
        },
    )
    evidence = MultipleFileField(
        label="証跡ファイル",
        required=False,
        error_messages={
            "invalid": "ファイルを読み取れませんでした。もう一度選択してください。",
            "empty": "空のファイルは添付できません。",
            "missing": "ファイルを読み取れませんでした。もう一度選択してください。",
        },
    )

    def __init__(self, *args: Any, finding: Finding, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"entry_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.finding = finding
        limit_mb = max(1, settings.EVIDENCE_MAX_BYTES // (1024 * 1024))
        self.fields["evidence"].help_text = (
            f"任意。複数選択できます（{MAX_FILES}個まで、1ファイル{limit_mb}MBまで）。"
            f"添付できるのは{ALLOWED_DESCRIPTION}です。"
        )
        form_field(
            self, "status", forms.ModelChoiceField
        ).queryset = RemediationStatus.objects.order_by("sort_order", "id")

    def clean_entry_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["entry_date"]
        error = entry_date_error(self.finding, day)
        if error:
            raise ValidationError(error)
        return day

    def clean_evidence(self) -> list[CheckedFile]:
        uploads = self.cleaned_data.get("evidence") or []
        if len(uploads) > MAX_FILES:
            raise ValidationError(f"証跡ファイルは{MAX_FILES}個までです。")
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked

    @property
    def had_files(self) -> bool:
        """Whether files were sent: they are lost when the form is shown again."""
        return bool(self.files and self.files.getlist(self.add_prefix("evidence")))
