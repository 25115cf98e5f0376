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


def test_a_capped_count_stops_at_the_cap_and_the_pages_with_it(db, monkeypatch):
    from audits.paging import CappedPaginator
    from findings.models import FindingKind

    monkeypatch.setattr(CappedPaginator, "CAP", 6)
    small = CappedPaginator(list(range(6)), 2)
    assert (small.count, small.capped, small.num_pages) == (6, False, 3)
    big = CappedPaginator(list(range(50)), 2)
    assert (big.count, big.capped, big.num_pages) == (6, True, 3)
    assert list(big.get_page(99).object_list) == [4, 5]  # past the cap: the last page
    queryset = CappedPaginator(FindingKind.objects.order_by("pk"), 1)
    assert queryset.count == min(FindingKind.objects.count(), 6)


def test_the_finding_list_says_when_there_are_more_than_it_counts(
    client, auditor, make_finding, monkeypatch
):
    from audits.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    for n in range(3):
        make_finding(label=str(n))
    client.force_login(auditor)
    page = client.get("/findings/").content.decode()
    assert "2</span> 件以上あります（先頭の 2 件の 1〜2 件）。条件で絞り込んでください" in page
    none = client.get("/findings/?q=存在しない語").content.decode()
    assert "該当する指摘事項はありません" in none
