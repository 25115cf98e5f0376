"""Log rows as people read them: who, when, through which door, what, and each changed
field by its Japanese name (verbose_name) with its value before → after."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from history.models import Action, LogEntry, Source

EMPTY = "（なし）"
MAX_VALUE_CHARS = 500
BOOLEANS = {"True": "はい", "False": "いいえ"}
M2M_OPERATIONS = {"add": "追加", "delete": "削除"}


@dataclass(frozen=True)
class Change:
    label: str
    before: str = ""
    after: str = ""
    # For a many-to-many field: "追加" / "削除" and the objects concerned.
    operation: str = ""
    objects: tuple[str, ...] = ()


@dataclass(frozen=True)
class LogRow:
    pk: int
    at: datetime.datetime
    actor: str
    source: str
    source_code: str
    action: str
    action_code: int
    model: str
    target: str
    object_id: int | None
    finding_id: int | None
    note: str = ""
    changes: list[Change] = field(default_factory=list)


def _model_field(
    model: type[models.Model] | None, name: str
) -> models.Field[object, object] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _value(model_field: models.Field[object, object] | None, raw: object) -> str:
    if raw is None or raw == "None" or raw == "":
        return EMPTY
    text = str(raw)
    if model_field is not None:
        choices = dict((str(k), str(v)) for k, v in (model_field.flatchoices or []))
        if text in choices:
            return choices[text]
        if isinstance(model_field, models.BooleanField):
            return BOOLEANS.get(text, text)
    if len(text) > MAX_VALUE_CHARS:
        return text[:MAX_VALUE_CHARS] + "…"
    return text


def _changes(
    model: type[models.Model] | None, changes: object, hidden: frozenset[str], action: int
) -> list[Change]:
    if not isinstance(changes, dict):
        return []
    found: list[Change] = []
    for name, values in changes.items():
        if name in hidden:
            continue
        model_field = _model_field(model, name)
        if model is not None and model_field is None and not isinstance(values, dict):
            continue  # a reverse relation the library lists on create and delete
        label = str(model_field.verbose_name) if model_field is not None else str(name)
        if isinstance(values, dict) and values.get("type") == "m2m":
            found.append(
                Change(
                    label,
                    operation=M2M_OPERATIONS.get(str(values.get("operation")), ""),
                    objects=tuple(str(o) for o in values.get("objects") or ()),
                )
            )
        elif isinstance(values, list | tuple) and len(values) == 2:
            found.append(
                Change(label, _value(model_field, values[0]), _value(model_field, values[1]))
            )
    return found


def actor_label(entry: LogEntry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    return "（コマンド）" if entry.source == Source.COMMAND else "（不明）"


# The row's own time says when; the primary key is in the target column.
ALWAYS_HIDDEN = frozenset({"id", "created_at", "recorded_at", "uploaded_at"})


def rows_for(entries: Iterable[LogEntry], hidden: frozenset[str] = ALWAYS_HIDDEN) -> list[LogRow]:
    """Needs entries loaded with select_related("actor", "content_type")."""
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        model_name = (
            str(model._meta.verbose_name) if model is not None else entry.content_type.model
        )
        summary = (
            (entry.additional_data or {}).get("summary", "")
            if isinstance(entry.additional_data, dict)
            else ""
        )
        rows.append(
            LogRow(
                pk=entry.pk,
                at=entry.timestamp,
                actor=actor_label(entry),
                source=entry.get_source_display(),
                source_code=entry.source,
                action=entry.activity or Action(entry.action).label,
                action_code=entry.action,
                model=model_name,
                target=entry.object_repr,
                object_id=entry.object_id,
                finding_id=entry.finding_id,
                note=str(summary) if entry.action == Action.NOTE else "",
                changes=_changes(model, entry.changes, hidden, entry.action),
            )
        )
    return rows
