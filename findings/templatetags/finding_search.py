"""{{ text|highlight:q }}: the keyword filter's matches marked in what the list shows."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from findings import search

register = template.Library()

# As long as the list's title column was with truncatechars:60.
TITLE_CHARS = 60
SNIPPET_CHARS = 80


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """The text escaped and cut to the title column's length, matches in <mark>."""
    return search.highlight(text or "", query or "", TITLE_CHARS)


@register.filter
def match_snippet(text: str, query: str) -> SafeString:
    """A short part of the text around the first match, or "" when nothing matches in
    it (the list then shows no snippet)."""
    if not query or not search.matches_in(text or "", query):
        return SafeString("")
    return search.highlight(text, query, SNIPPET_CHARS)
