"""Widgets for long choice lists (issue 13).

Django draws a <select> through its template engine: one included template per
<option>, and another for the option's attributes. A select of 200 departments then
costs more than the rest of the finding list together. QuickSelect writes the very
same HTML (the same whitespace, attributes, escaping and selected state as
django/forms/widgets/select.html) in Python, so the page, its labels,
aria-describedby and aria-invalid stay as they were.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.safestring import SafeString, mark_safe


def _text(value: Any) -> str:
    """As the template's autoescape: safe text as it is, anything else escaped (Django's
    escape() is html.escape, here without its lazy-string wrapper, called per option)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html: True as a bare name, False left out."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """forms.Select with its options written in Python: use it wherever a long choice
    list is drawn (departments, audits)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            # Each option ends in the option template's own newline.
            parts.extend(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
