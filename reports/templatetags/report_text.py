"""Template filters for report text: the same paragraphs in the preview and the PDF."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def paragraphs(text: str) -> list[str]:
    """Body text as printed: one paragraph per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
