"""Keyword search over findings that finds Japanese text as people type it.

One normaliser serves the stored text (Finding.search_text) and the query, so both
sides always agree:

1. NFKC: full-width ＵＳＢ and half-width ｻｰﾊﾞ become USB and サーバ; ① becomes 1.
2. Case-folded: USB and usb match.
3. A long-vowel mark ー at the end of a word is dropped, so サーバー and サーバ are the
   same word. "End of a word": one or more ー after a katakana letter and not followed
   by a katakana letter or another ー (a following hiragana particle, kanji,
   punctuation, space or the end of the text all end the word). サーバーの設定 →
   サーバの設定, but the ー inside データ or inside a compound such as サーバーテスト
   stays: a query サーバ still finds サーバーテスト (it is a prefix), while
   サーバテスト does not find サーバーテスト (a known limit). After a hiragana letter
   the same holds with hiragana in place of katakana, so a query typed in hiragana
   (さーばー → さーば) finds the katakana word.
4. Katakana become hiragana (ア→あ, ヴ→ゔ, ヶ→ゖ, ヽ→ゝ), so either script finds the other.

The stored text joins the finding's title, body, viewpoint texts (its own viewpoint and
the further ones, with their key risks) and the texts of its remediation entries, one
per line. The services that write any of these keep it current (refresh_search_text),
and rebuild_search_text redoes every row (the `rebuild_search_text` command).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from audits.models import Viewpoint
from findings.models import Finding, FindingViewpoint

_LONG_VOWEL_AT_WORD_END = re.compile(
    "(?<=[\u30a1-\u30fa])\u30fc+(?![\u30a1-\u30fa\u30fc])"
    "|(?<=[\u3041-\u3096])\u30fc+(?![\u3041-\u3096\u30fc])"
)
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    0x30FD: 0x309D,
    0x30FE: 0x309E,
}
# A query is split into at most this many terms (the field takes 200 characters).
MAX_TERMS = 10


def normalise(text: str) -> str:
    """The searchable form of `text` (see the module docstring for the rules)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _LONG_VOWEL_AT_WORD_END.sub("", text)
    return text.translate(_KATAKANA_TO_HIRAGANA)


def search_terms(query: str) -> list[str]:
    """The normalised, whitespace-separated terms of a query: each must match (AND)."""
    terms: list[str] = []
    for term in normalise(query).split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def matching(queryset: QuerySet[Finding], query: str) -> QuerySet[Finding]:
    """The findings whose text holds every term of `query` (a pg_trgm index serves this
    on PostgreSQL)."""
    condition = Q()
    for term in search_terms(query):
        condition &= Q(search_text__contains=term)
    return queryset.filter(condition)


# --- keeping Finding.search_text current ------------------------------------------------


def compose_search_text(
    title: str, body: str, viewpoint_texts: Iterable[str], entry_texts: Iterable[str]
) -> str:
    """One line per text, so no term matches across two of them."""
    parts = [title, body, *viewpoint_texts, *entry_texts]
    return "\n".join(normalise(part) for part in parts if part)


def _viewpoint_texts(text: str | None, key_risk: str | None) -> list[str]:
    return [t for t in (text, key_risk) if t]


def viewpoint_search_texts(viewpoint: Viewpoint | None) -> list[str]:
    """What a viewpoint held in memory adds to a finding's search text."""
    if viewpoint is None:
        return []
    key_risk = viewpoint.key_risk if viewpoint.key_risk_id is not None else None
    return _viewpoint_texts(viewpoint.text, key_risk.title if key_risk is not None else None)


def search_texts_of(finding_ids: Sequence[int]) -> dict[int, str]:
    """The search text of each finding, read in three queries however many there are."""
    texts: dict[int, list[str]] = defaultdict(list)
    entries: dict[int, list[str]] = defaultdict(list)
    rows = Finding.objects.filter(pk__in=finding_ids).values_list(
        "pk", "title", "body", "viewpoint__text", "viewpoint__key_risk__title"
    )
    heads = {pk: (title, body, *_viewpoint_texts(vt, kr)) for pk, title, body, vt, kr in rows}
    links = (
        FindingViewpoint.objects.filter(finding_id__in=finding_ids)
        .order_by("finding_id", "position", "id")
        .values_list("finding_id", "viewpoint__text", "viewpoint__key_risk__title")
    )
    for finding_id, text, key_risk in links:
        texts[finding_id].extend(_viewpoint_texts(text, key_risk))
    # Through the reverse relation: findings need not import remediation (apps depend
    # downward). Entries are append-only, so their order by id is the order they came.
    contents = (
        Finding.objects.filter(pk__in=finding_ids, entries__isnull=False)
        .order_by("pk", "entries__id")
        .values_list("pk", "entries__content")
    )
    for finding_id, content in contents:
        entries[finding_id].append(content)
    return {
        pk: compose_search_text(title, body, [*vps, *texts[pk]], entries[pk])
        for pk, (title, body, *vps) in heads.items()
    }


def lock_findings(finding_ids: Sequence[int]) -> None:
    """Lock these findings' rows (in id order, so two lockers never wait on each other)
    until the transaction ends; a no-op outside one (a rebuild command in autocommit)."""
    if transaction.get_autocommit():
        return
    list(
        Finding.objects.select_for_update()
        .filter(pk__in=finding_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def refresh_search_text(finding_ids: Iterable[int], batch_size: int = 500) -> int:
    """Recompute the search text of these findings; returns how many rows were written.
    Written with UPDATE, not save(): it is derived data, not a change anyone made, so
    the audit log does not list it."""
    ids = sorted(set(finding_ids))
    written = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        # Locked before reading: an entry recorded meanwhile (append_entry_text) would
        # otherwise be overwritten by the text read without it.
        lock_findings(chunk)
        texts = search_texts_of(chunk)
        if len(texts) == 1:
            ((pk, text),) = texts.items()
            written += Finding.objects.filter(pk=pk).update(search_text=text)
            continue
        rows = [Finding(pk=pk, search_text=text) for pk, text in texts.items()]
        written += Finding.objects.bulk_update(rows, ["search_text"])
    return written


def refresh_findings_of_viewpoints(viewpoint_filter: Q) -> int:
    """After a viewpoint or key risk text changes: the findings that print under it or
    answer it as a further viewpoint. `viewpoint_filter` selects Viewpoint rows."""
    viewpoints = Viewpoint.objects.filter(viewpoint_filter).values("pk")
    ids = Finding.objects.filter(
        Q(viewpoint__in=viewpoints) | Q(viewpoint_links__viewpoint__in=viewpoints)
    ).values_list("pk", flat=True)
    return refresh_search_text(list(ids))


def append_entry_text(finding_id: int, content: str) -> None:
    """A new entry's text, added in one UPDATE (entries are append-only, so nothing
    earlier in the text changes)."""
    Finding.objects.filter(pk=finding_id).update(
        search_text=Concat("search_text", Value("\n" + normalise(content)))
    )


def rebuild_search_text(batch_size: int = 500) -> int:
    """Every finding's search text again (after a bulk load or a change of the rules)."""
    ids = list(Finding.objects.order_by("pk").values_list("pk", flat=True))
    return refresh_search_text(ids, batch_size)


# --- showing where a finding matched ----------------------------------------------------


def _normalised_with_sources(text: str) -> tuple[str, list[int]] | None:
    """normalise(text), with the index in `text` each of its characters came from; None
    when character-by-character normalising does not give the same string (an unusual
    composition), and the caller then shows the text without marks."""
    chars: list[str] = []
    sources: list[int] = []
    start = 0
    while start < len(text):
        end = start + 1
        # A base character with its combining marks (ﾊﾞ, か + ゙) normalises as one piece.
        while end < len(text) and (
            unicodedata.combining(text[end]) or text[end] in "\uff9e\uff9f\u3099\u309a"
        ):
            end += 1
        for char in unicodedata.normalize("NFKC", text[start:end]).casefold():
            chars.append(char)
            sources.append(start)
        start = end
    joined = "".join(chars)
    kept = [True] * len(joined)
    for match in _LONG_VOWEL_AT_WORD_END.finditer(joined):
        for index in range(match.start(), match.end()):
            kept[index] = False
    result = "".join(c for c, keep in zip(joined, kept, strict=True) if keep)
    result = result.translate(_KATAKANA_TO_HIRAGANA)
    mapped = [s for s, keep in zip(sources, kept, strict=True) if keep]
    if result != normalise(text):
        return None
    return result, mapped


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where in `text` the terms occur, as merged (start, end) ranges of `text`."""
    found = _normalised_with_sources(text)
    if found is None:
        return []
    normalised, sources = found
    # Where the source of each normalised char ends: at the source of the next char that
    # comes from further on, so a dropped word-end ー (サーバー for サーバ) is marked with
    # its word and a char that expanded (㈱ → (株)) is marked whole.
    ends = [len(text)] * len(sources)
    following = len(text)
    for index in range(len(sources) - 1, -1, -1):
        ends[index] = following
        if index and sources[index - 1] != sources[index]:
            following = sources[index]
    spans: list[tuple[int, int]] = []
    for term in terms:
        at = normalised.find(term)
        while at != -1:
            spans.append((sources[at], ends[at + len(term) - 1]))
            at = normalised.find(term, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def matches_in(text: str, query: str) -> bool:
    """Whether any term of the query occurs in `text`."""
    normalised = normalise(text)
    return any(term in normalised for term in search_terms(query))


def highlight(text: str, query: str, limit: int | None = None) -> SafeString:
    """`text` escaped, with each occurrence of the query's terms in <mark>. With a
    limit, a snippet of about that many characters starting a little before the first
    match (… where cut)."""
    terms = search_terms(query)
    spans = _spans(text, terms) if terms else []
    begin, stop = 0, len(text)
    if limit is not None and len(text) > limit:
        if spans:
            begin = max(0, min(spans[0][0] - limit // 4, len(text) - limit))
        stop = begin + limit
    pieces: list[str] = ["…"] if begin > 0 else []
    at = begin
    for start, end in spans:
        start, end = max(start, begin), min(end, stop)
        if start >= end:
            continue
        pieces.append(conditional_escape(text[at:start]))
        pieces.append(format_html("<mark>{}</mark>", text[start:end]))
        at = end
    pieces.append(conditional_escape(text[at:stop]))
    if stop < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece above is escaped
