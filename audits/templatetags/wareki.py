from __future__ import annotations

import datetime
from typing import Any

from django import template

from audits.wareki import format_fiscal_year, format_wareki

register = template.Library()


def _as_date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def wareki(value: object) -> str:
    """{{ entry.entry_date|wareki }} → 令和3年5月31日"""
    day = _as_date(value)
    return format_wareki(day) if day else ""


@register.filter
def wareki_padded(value: object) -> str:
    """{{ entry.entry_date|wareki_padded }} → 令和 3年 5月31日 (the official table style)"""
    day = _as_date(value)
    return format_wareki(day, padded=True) if day else ""


@register.filter
def fiscal_year(value: Any) -> str:
    """{{ audit.fiscal_year|fiscal_year }} → 令和2年度 (whatever int() takes, else "")"""
    try:
        return format_fiscal_year(int(value))
    except (TypeError, ValueError):
        return ""
