"""Spreadsheet-safe text, shared by the Excel and the CSV renderings.

Findings and entries are typed by people outside the audit office, so a report must
never hand a spreadsheet something it would run (CSV/formula injection, OWASP) or
refuse to open. Two things are done to every text cell:

- characters Excel rejects in a cell (C0 control characters other than tab, line
  feed and carriage return) are dropped, because one stray bell character from a
  pasted document would otherwise make the whole file unreadable;
- a value that a spreadsheet would read as a formula (it starts with =, +, -, @, a
  tab or a carriage return) is marked as text. In CSV that mark is a leading
  apostrophe, as OWASP recommends; in an .xlsx file it is the cell's quotePrefix
  flag, which is exactly what Excel stores when someone types the apostrophe
  themselves: the cell shows the text as written and stays text when edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SafeText:
    text: str  # the value with rejected characters dropped and line breaks as LF
    formula_like: bool  # a spreadsheet would read `text` as a formula

    @property
    def for_csv(self) -> str:
        return _for_csv(self.text, self.formula_like)


def _for_csv(text: str, formula_like: bool) -> str:
    return f"'{text}" if formula_like else text


def _cleaned(value: object) -> tuple[str, bool]:
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    formula_like = text.startswith(FORMULA_TRIGGERS)
    # Browsers post text areas with CRLF; a cell's line break is a plain LF.
    return text.replace("\r\n", "\n").replace("\r", "\n"), formula_like


def safe_text(value: object) -> SafeText:
    """`value` as text a spreadsheet shows as written and never evaluates."""
    return SafeText(*_cleaned(value))


def csv_text(value: object) -> str:
    """safe_text(value).for_csv, without making the SafeText: a CSV of 50,000 findings
    escapes 100,000 texts."""
    return _for_csv(*_cleaned(value))
