"""Page links of a paginated list (templates/includes/pagination.html)."""

from __future__ import annotations

from collections.abc import Iterator

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_links(page: Page[object]) -> Iterator[str | int]:
    """The page numbers to link, with the paginator's ellipsis where some are left out,
    centred on the page shown (a template cannot pass it to get_elided_page_range)."""
    return page.paginator.get_elided_page_range(page.number)
