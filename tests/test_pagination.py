"""The shared page links centre on the page shown, not on page 1."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _links(number: int) -> str:
    page = Paginator(list(range(1000)), 10).page(number)
    return render_to_string("includes/pagination.html", {"page": page, "query": "q=x"})


def test_links_around_a_late_page_are_shown():
    html = _links(60)
    for near in (57, 58, 59, 61, 62, 63):
        assert f'page={near}">{near}</a>' in html
    assert 'page=60" aria-current="page">60</a>' in html
    assert 'page=30"' not in html  # far pages are elided
    assert html.count("…") == 2


def test_first_page_links_and_one_ellipsis():
    html = _links(1)
    assert 'page=1" aria-current="page">1</a>' in html
    assert html.count("…") == 1 and 'page=100">100</a>' in html
