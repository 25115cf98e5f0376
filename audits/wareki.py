"""和暦 (Japanese era) dates and fiscal years (年度) in the house style of the
published 措置状況 tables.

The PyPI era libraries print neither the padded table style ("令和 3年 5月31日")
nor 年度, so this is a small module of our own.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    start: datetime.date


# Newest first. Dates before 大正 do not occur in audit records and are refused.
ERAS: tuple[Era, ...] = (
    Era("令和", datetime.date(2019, 5, 1)),
    Era("平成", datetime.date(1989, 1, 8)),
    Era("昭和", datetime.date(1926, 12, 25)),
    Era("大正", datetime.date(1912, 7, 30)),
)
ERA_BY_NAME = {era.name: era for era in ERAS}


def era_of(day: datetime.date) -> tuple[Era, int]:
    for era in ERAS:
        if day >= era.start:
            return era, day.year - era.start.year + 1
    raise ValueError(f"{day.isoformat()} は大正より前の日付のため和暦に変換できません。")


def _year_text(year: int, pad: bool) -> str:
    if year == 1:
        return "元"
    return f"{year:>2}" if pad else str(year)


def format_wareki(day: datetime.date, *, padded: bool = False) -> str:
    """ "令和3年5月31日", or with padded=True the table style "令和 3年 5月31日"."""
    era, year = era_of(day)
    if padded:
        return f"{era.name}{_year_text(year, True)}年{day.month:>2}月{day.day:>2}日"
    return f"{era.name}{_year_text(year, False)}年{day.month}月{day.day}日"


def format_wareki_month(day: datetime.date) -> str:
    """ "令和5年6月": a month, for periods given only in months."""
    era, year = era_of(day)
    return f"{era.name}{_year_text(year, False)}年{day.month}月"


def fiscal_year_of(day: datetime.date) -> int:
    """The Gregorian year a fiscal year (April to March) starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(fiscal_year, 4, 1), datetime.date(fiscal_year + 1, 3, 31)


def fiscal_year_era(fiscal_year: int) -> tuple[Era, int]:
    """年度 take the era that began in their starting calendar year: 2019 is 令和元年度
    (not 平成31年度) and 1989 is 平成元年度, as municipalities print them."""
    for era in ERAS:
        if fiscal_year >= era.start.year:
            return era, fiscal_year - era.start.year + 1
    raise ValueError(f"{fiscal_year}年度は和暦に変換できません。")


def format_fiscal_year(fiscal_year: int) -> str:
    """2020 → "令和2年度"."""
    era, year = fiscal_year_era(fiscal_year)
    return f"{era.name}{_year_text(year, False)}年度"


_NUM = r"(元|[0-9０-９]{1,2})"
_DATE_RE = re.compile(
    rf"^\s*(令和|平成|昭和|大正)\s*{_NUM}\s*年\s*([0-9０-９]{{1,2}})\s*月\s*([0-9０-９]{{1,2}})\s*日\s*$"
)
# The short spellings of spreadsheets and forms: R3.9.30, H31/4/30, 令和3.9.30, Ｒ３．９．３０.
_SHORT_DATE_RE = re.compile(
    rf"^\s*(令和|平成|昭和|大正|[RHSTrhst])\s*{_NUM}\s*[.．/／-]\s*([0-9０-９]{{1,2}})"
    rf"\s*[.．/／-]\s*([0-9０-９]{{1,2}})\s*$"
)
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正"}
_FY_RE = re.compile(rf"^\s*(令和|平成|昭和|大正)\s*{_NUM}\s*年度\s*$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _era_year(era_name: str, year_text: str) -> tuple[Era, int]:
    era = ERA_BY_NAME[era_name]
    year = 1 if year_text == "元" else int(year_text.translate(_FULLWIDTH))
    if year < 1:
        raise ValueError(f"{era_name}{year_text}年 は存在しません。")
    return era, year


def parse_wareki(text: str) -> datetime.date:
    """Read "令和 3年 5月31日" / "令和元年5月1日" / "R3.9.30" / "令和3.9.30" back into a
    date (full-width letters and digits too); ValueError if it is not a real date of that
    era."""
    text = unicodedata.normalize("NFKC", text) if text else text
    match = _DATE_RE.match(text) or _SHORT_DATE_RE.match(text)
    if not match:
        raise ValueError(f"和暦の日付として読めません: {text!r}")
    era_name = _ERA_LETTERS.get(match.group(1).upper(), match.group(1))
    era, year = _era_year(era_name, match.group(2))
    month = int(match.group(3).translate(_FULLWIDTH))
    day_of_month = int(match.group(4).translate(_FULLWIDTH))
    try:
        day = datetime.date(era.start.year + year - 1, month, day_of_month)
    except ValueError:
        raise ValueError(f"存在しない日付です: {text!r}") from None
    if era_of(day)[0] != era:
        raise ValueError(f"{text!r} は{era.name}の期間外です。")
    return day


def parse_fiscal_year(text: str) -> int:
    """ "令和2年度" → 2020."""
    match = _FY_RE.match(text)
    if not match:
        raise ValueError(f"年度として読めません: {text!r}")
    era, year = _era_year(match.group(1), match.group(2))
    return era.start.year + year - 1
