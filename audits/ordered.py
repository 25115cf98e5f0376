"""Edit, reorder and delete one row of an ordered list: the audit's structure (節, 重要リスク,
着眼点, 監査対象システム) and the vocabularies (監査の種類, 区分, 細区分) share these steps.

The callers fetch the row through the access helpers and say what it is (an OrderedPart);
these views only run the form, call the part's service and answer. A refused delete
(audits.services.StructureInUse) is shown with its reason, status 409; nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.forms import Form
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render

from audits.forms import attach_errors
from audits.http import AuthenticatedHttpRequest
from audits.services import StructureInUse
from audits.versions import (
    ConflictRow,
    StaleEdit,
    check_version,
    conflict_rows,
    field_values,
    fingerprint,
)

_Row = TypeVar("_Row", bound=Model)

# Direction buttons post "up" or "down"; anything else is refused with a message.
OFFSETS = {"up": -1, "down": 1}


@dataclass(frozen=True)
class OrderedPart(Generic[_Row]):
    noun: str  # "着眼点": names the row in titles and messages
    form: Callable[[QueryDict | None, _Row], Form]  # bound to the row's current values
    update: Callable[..., object]  # service: (row, user=…, **cleaned_data)
    move: Callable[..., None]  # service: (row, offset=…, user=…)
    delete: Callable[..., None]  # service: (row, user=…), may raise StructureInUse
    refusal: Callable[[_Row], str]  # why the row cannot be deleted now, "" when it can


@dataclass(frozen=True)
class Place:
    """Where the row is shown: the page to go back to (with its anchor) and its name."""

    url: str
    label: str
    crumbs: tuple[tuple[str, str], ...] = ()  # (url, label) before it in the breadcrumbs


def edit_row(
    request: AuthenticatedHttpRequest, part: OrderedPart[Any], row: Model, back: Place
) -> HttpResponse:
    form = part.form(request.POST if request.method == "POST" else None, row)
    version = row_version(row, form)
    conflict: list[ConflictRow] = []
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # The row as it is now, locked until the service has saved: no other
                # save slips in between the check and the write.
                current = type(row)._default_manager.select_for_update().get(pk=row.pk)
                version = row_version(current, form)
                check_version(request.POST.get("row_version"), current, version)
                part.update(current, user=request.user, **form.cleaned_data)
        except StaleEdit as stale:
            conflict = conflict_rows(form, part.form(None, stale.current))
            form.add_error(None, stale)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{part.noun}「{current}」を保存しました。")
            return redirect(back.url)
    return render(
        request,
        "audits/row_edit.html",
        {
            "form": form,
            "noun": part.noun,
            "row": row,
            "back": back,
            "row_version": version,
            "conflict": conflict,
        },
    )


def row_version(row: Model, form: Form) -> str:
    """The version of the row's fields the edit form shows (audits.versions)."""
    names = {f.name for f in row._meta.concrete_fields}
    return fingerprint(field_values(row, sorted(n for n in form.fields if n in names)))


def move_row(
    request: AuthenticatedHttpRequest, part: OrderedPart[Any], row: Model, back: Place
) -> HttpResponse:
    offset = OFFSETS.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, "移動の方向が正しくありません。")
    else:
        part.move(row, offset=offset, user=request.user)
    return redirect(back.url)


def delete_row(
    request: AuthenticatedHttpRequest, part: OrderedPart[Any], row: Model, back: Place
) -> HttpResponse:
    """GET asks to confirm (or says at once why the row must stay); POST deletes."""
    error = ""
    if request.method == "POST":
        label = str(row)
        try:
            part.delete(row, user=request.user)
        except StructureInUse as refusal:
            error = refusal.messages[0]
        else:
            messages.success(request, f"{part.noun}「{label}」を削除しました。")
            return redirect(back.url)
    refusal_text = error or part.refusal(row)
    return render(
        request,
        "audits/row_delete.html",
        {"noun": part.noun, "row": row, "back": back, "refusal": refusal_text},
        status=409 if error else 200,
    )
