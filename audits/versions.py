"""Optimistic locking for the edit forms: no edit silently overwrites another.

An edit form carries, in a hidden field, the version of the object it was opened on: a
fingerprint of exactly the values that form edits (so a change made elsewhere, say to the
audit report's texts, does not block an edit of the header). The service locks the row,
computes the fingerprint again and refuses with StaleEdit when they differ; the view
keeps what the user typed and shows, field by field, the current values beside theirs.
Saving again then overwrites on purpose (the form now carries the new version).

A fingerprint instead of a counter column: nothing to migrate, and only a real change
of what the form shows counts as one.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict

STALE_MESSAGE = (
    "この画面を開いた後に、ほかの人が内容を変更して保存しました。あなたの入力は残してあります。"
    "下の「ほかの人の変更」を確認し、必要なら入力を直してから、もう一度保存してください"
    "（そのまま保存すると、あなたの入力で上書きします）。"
)


def _plain(value: object) -> object:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def fingerprint(values: Mapping[str, object]) -> str:
    canonical = json.dumps({k: _plain(v) for k, v in sorted(values.items())}, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def field_values(instance: models.Model, names: Iterable[str]) -> dict[str, object]:
    """The stored values of the named concrete fields (foreign keys as ids)."""
    meta = instance._meta
    return {
        name: getattr(instance, getattr(meta.get_field(name), "attname", name)) for name in names
    }


class StaleEdit(ValidationError):
    """Someone saved the object after the form was opened; `current` is the object as it
    is now and `version` its version."""

    def __init__(self, current: Any, version: str) -> None:
        super().__init__(STALE_MESSAGE, code="stale")
        self.current = current
        self.version = version


def check_version(expected: str | None, current: Any, actual: str) -> None:
    """StaleEdit unless the form's version is the current one (no version: a caller
    that is not an edit form, such as a command or a test, takes the last word)."""
    if expected and expected != actual:
        raise StaleEdit(current, actual)


def version_field() -> forms.CharField:
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    current: str
    yours: str


def _choice_labels(field: forms.Field) -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in getattr(field, "choices", []) or []:
        if isinstance(label, list | tuple):  # an option group
            for inner_value, inner_label in label:
                labels[str(inner_value)] = str(inner_label)
        else:
            labels[str(getattr(value, "value", value))] = str(label)
    return labels


def _text(field: forms.Field, value: object) -> str:
    raw: list[object] = list(value) if isinstance(value, list | tuple) else [value]
    texts = [str(_plain(v)) for v in raw if v is not None and str(_plain(v)) != ""]
    labels = _choice_labels(field) if hasattr(field, "choices") else {}
    return "、".join(labels.get(t, t) for t in texts) or "（空欄）"


def conflict_rows(yours: forms.BaseForm, current: forms.BaseForm) -> list[ConflictRow]:
    """Each field whose value now stored differs from what the user sent, with both."""
    rows = []
    for name, field in yours.fields.items():
        if name == "version" or isinstance(field.widget, forms.HiddenInput):
            continue
        mine, theirs = _text(field, yours[name].value()), _text(field, current[name].value())
        if mine != theirs:
            rows.append(ConflictRow(str(field.label), theirs, mine))
    return rows


def carry_new_version(form: forms.BaseForm, version: str) -> None:
    """The bound form shown again carries the current version: saving it again is a
    deliberate overwrite."""
    data = QueryDict(mutable=True)
    for key in form.data:
        getlist = getattr(form.data, "getlist", None)
        data.setlist(key, getlist(key) if getlist else [form.data[key]])
    data[form.add_prefix("version")] = version
    form.data = data
