"""Django's {# … #} comment ends at the line end: one spread over two lines is printed
as text on the page. Multi-line comments must be {% comment %} blocks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNCLOSED = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_has_a_comment_over_several_lines():
    templates = [
        path
        for path in ROOT.rglob("*.html")
        if ".venv" not in path.parts and "var" not in path.parts and "static" not in path.parts
    ]
    assert len(templates) > 50
    broken = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for m in UNCLOSED.finditer(text)
    ]
    assert broken == []
