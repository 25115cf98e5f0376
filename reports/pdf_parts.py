"""A large 措置状況 PDF laid out in parts, one per core, then joined (issue 13).

WeasyPrint lays out a document on one core: 500 findings / 1,500 entries took 14–16 s,
however the HTML was written. The report is cut between two finding rows into parts of
about equal text; each part is laid out in its own process (forked: the fonts and
templates are already loaded) and pypdf joins them. A part after the first goes on
from where the one before stopped: no title block, no heading of a kind or section it
continues (kind.continued, section.continued), the table head repeated as on any new
page. The one difference from a single layout is that each part starts on a new page.

Page numbers "n / N" run across the whole document: the parts are laid out without
them, and once N is known a sheet of N pages carrying only the footer, made by
WeasyPrint with the same stylesheet and font, is stamped onto the joined pages.
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, cast

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from pypdf import PdfWriter
    from pypdf.generic import IndirectObject

from reports.builder import AuditBlock, FindingRow, KindBlock, Report, SectionBlock

# Below this much printed text (characters) a PDF is laid out in one piece: a fork and a
# join cost more than they save. 500 findings hold about 350,000.
PARALLEL_FROM_CHARS = 60_000
MAX_WORKERS = 4
FIRST_PART_SHARE = 0.85  # of a later part's text (see split)
# A cut moves to an audit's start up to this share of the whole text away (see split).
AUDIT_CUT_SLACK = 0.15
# Lays one HTML document out as PDF (reports.pdf.html_to_pdf, passed in by its caller).
Layout = Callable[[str], bytes]
# How much longer than the first part a child may take before it is given up on.
CHILD_GRACE_SECONDS = 20

# Parts are laid out without the footer; the page-number sheet has nothing else.
_NO_FOOTER = "<style>@page { @bottom-center { content: none; } }</style>"
_NUMBERS_ONLY = "<style>@page { @top-right { content: none; } }</style>"


def workers_for(chars: int) -> int:
    """How many parts: one per core available, none for a small report."""
    if chars < PARALLEL_FROM_CHARS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_WORKERS))


def text_estimate(report: Report) -> int:
    """About how many characters the report prints, read from its rows before any HTML
    is made: enough to choose between one layout and several."""
    return sum(_weight(row) for audit in report.audits for _, _, row in audit.rows())


def _weight(row: FindingRow) -> int:
    """Roughly what a row costs to lay out: its text, and a little for its boxes."""
    return 100 + len(row.body) + sum(len(e.content) + 40 for e in row.entries)


def split(report: Report, parts: int) -> list[Report]:
    """The report in `parts` reports of about equal text, cut between finding rows. A
    part holds the audits, kinds and sections whose rows (or, when they have none,
    whose place) fall in its range; those begun in an earlier part are `continued`."""
    rows = [row for audit in report.audits for _, _, row in audit.rows()]
    total = sum(_weight(row) for row in rows) or 1
    # The first part is laid out by the calling process, which then joins the parts and
    # stamps the page numbers: it gets a smaller share so that it is not the last done.
    shares = [FIRST_PART_SHARE, *[1.0] * (parts - 1)]
    ends = [total * sum(shares[: k + 1]) / sum(shares) for k in range(parts - 1)]
    cuts: list[int] = []
    done = 0
    for i, row in enumerate(rows):
        if len(cuts) < len(ends) and done >= ends[len(cuts)]:
            cuts.append(i)
        done += _weight(row)
    cuts = _at_audit_starts(report, rows, cuts, total)
    bounds = list(zip([0, *cuts], [*cuts, len(rows)], strict=True))
    last = len(bounds) - 1
    return [
        dataclasses.replace(report, audits=_audits_in(report.audits, start, end, n == last))
        for n, (start, end) in enumerate(bounds)
    ]


def _at_audit_starts(
    report: Report, rows: list[FindingRow], cuts: list[int], total: int
) -> list[int]:
    """Each cut moved to the start of an audit when one lies near it: every audit after
    the first begins a new page anyway (.audit--next), so a part starting there looks
    exactly as in a single layout. Elsewhere a part's new page is the one visible seam."""
    starts: list[tuple[int, int]] = []  # (row index, text before it)
    index = done = 0
    for audit in report.audits:
        if index:
            starts.append((index, done))
        for _, _, row in audit.rows():
            index += 1
            done += _weight(row)
    before = [0]
    for row in rows:
        before.append(before[-1] + _weight(row))
    moved: list[int] = []
    for cut in cuts:
        near = [
            start
            for start, text in starts
            if abs(text - before[cut]) <= AUDIT_CUT_SLACK * total
            and start > (moved[-1] if moved else 0)
        ]
        moved.append(min(near, key=lambda start: abs(before[start] - before[cut]), default=cut))
    return moved


def _in_part(first: int, after: int, start: int, end: int, is_last: bool) -> bool:
    """Whether a block holding rows first..after-1 belongs to the part [start, end). A
    block without rows goes where its place falls."""
    if first == after:
        return start <= first < end or (is_last and first == end)
    return first < end and after > start


def _audits_in(
    audits: Sequence[AuditBlock], start: int, end: int, is_last: bool
) -> list[AuditBlock]:
    out: list[AuditBlock] = []
    position = 0
    for audit in audits:
        audit_first = position
        kinds: list[KindBlock] = []
        for kind in audit.kinds:
            kind_first = position
            sections: list[SectionBlock] = []
            for section in kind.sections:
                first, position = position, position + len(section.rows)
                if _in_part(first, position, start, end, is_last):
                    rows = section.rows[max(start - first, 0) : max(end - first, 0)]
                    sections.append(
                        dataclasses.replace(section, rows=rows, continued=first < start)
                    )
            if _in_part(kind_first, position, start, end, is_last):
                kinds.append(
                    dataclasses.replace(kind, sections=sections, continued=kind_first < start)
                )
        if _in_part(audit_first, position, start, end, is_last):
            out.append(dataclasses.replace(audit, kinds=kinds, continued=audit_first < start))
    return out


def _with_style(html: str, style: str) -> str:
    head, marker, rest = html.partition("</head>")
    return head + style + marker + rest


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def _page_numbers(total: int, layout: Layout) -> bytes:
    """`total` pages with the report's footer alone: "1 / N" … "N / N"."""
    css = render_to_string("reports/report_pdf.css")
    pages = '<div style="break-before: page"></div>' * (total - 1)
    html = (
        f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><style>{css}</style>'
        f"{_NUMBERS_ONLY}</head><body><div></div>{pages}</body></html>"
    )
    return layout(html)


def _layout_into(layout: Layout, html: str, pipe: Connection) -> None:
    """In a forked child: lay one part out and send the PDF back. Any failure closes
    the pipe without sending, which the parent reads as a failed part."""
    try:
        pipe.send_bytes(layout(html))
    finally:
        pipe.close()


def _layout_side_by_side(
    pages: Sequence[str], layout: Layout, own_layout: Layout | None = None
) -> list[bytes] | None:
    """The first part laid out here (by own_layout, which may report progress), the
    others in forked children at the same time (by layout); None when a child fails or
    takes far longer than this process's part did.

    Fork, because the child then has the fonts and modules loaded already; it reads no
    database and ends with os._exit, so the parent's connections are untouched. A fork
    can inherit a lock another thread of the parent held (gunicorn runs two threads per
    worker): such a child would hang, so it is waited for only a bounded time, then
    killed, and the caller lays the whole report out in one process instead."""
    context = multiprocessing.get_context("fork")
    children: list[tuple[Connection, BaseProcess]] = []
    try:
        for html in pages[1:]:
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_layout_into, args=(layout, html, writer), daemon=True)
            process.start()
            writer.close()
            children.append((reader, process))
        started = time.monotonic()
        laid_out = [(own_layout or layout)(pages[0])]
        # A later part has about 1 / FIRST_PART_SHARE of the first one's text.
        deadline = time.monotonic() + CHILD_GRACE_SECONDS + 3 * (time.monotonic() - started)
        for reader, _ in children:
            if not reader.poll(max(deadline - time.monotonic(), 0)):
                return None
            laid_out.append(reader.recv_bytes())
        return laid_out
    except (EOFError, OSError):  # a child died before sending its part
        return None
    finally:
        for reader, child in children:
            reader.close()
            if child.is_alive():
                child.kill()
            child.join()


def render_in_parts(
    htmls: Sequence[str],
    selection_label: str,
    layout: Layout,
    own_layout: Layout | None = None,
) -> bytes | None:
    """Lay the parts' HTML out side by side and join them into one numbered PDF; None
    if the parts could not be laid out side by side (the caller makes one layout).
    own_layout lays out the first part, in this process (default: layout)."""
    from pypdf import PdfReader, PdfWriter

    # The running header comes from the selection line on the first page
    # (string-set in report_pdf.css); later parts have no such line, so they get it
    # as a fixed text.
    header = f"<style>@page {{ @top-right {{ content: {_css_string(selection_label)}; }} }}</style>"
    pages = [_with_style(html, _NO_FOOTER + (header if i else "")) for i, html in enumerate(htmls)]
    laid_out = _layout_side_by_side(pages, layout, own_layout)
    if laid_out is None:
        return None

    writer = PdfWriter()
    for content in laid_out:
        writer.append(PdfReader(io.BytesIO(content)))
    first = PdfReader(io.BytesIO(laid_out[0]))
    if first.metadata:
        writer.add_metadata(dict(first.metadata))
    _stamp(writer, _page_numbers(len(writer.pages), layout))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp(writer: PdfWriter, numbers: bytes) -> None:
    """Draw page i of `numbers` over page i of `writer`. Each number page becomes a
    compressed form XObject drawn by a few bytes appended to the page's contents:
    PageObject.merge_page would parse and rewrite every page's whole content stream
    (seconds for 250 pages). Only the forms and their font are copied into the writer,
    not the number pages (appended and deleted, they stayed in the file as orphans)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    stamps = PdfReader(io.BytesIO(numbers)).pages
    for number, (page, stamp) in enumerate(zip(writer.pages, stamps, strict=True), 1):
        # A name per page: WeasyPrint's pages share one resource dictionary.
        name = NameObject(f"/PageNumber{number}")
        form = DecodedStreamObject()
        form.set_data(stamp.get_contents().get_data())  # type: ignore[union-attr]
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = stamp.mediabox
        # The number pages share one resource dictionary too: cloned once.
        form[NameObject("/Resources")] = stamp.raw_get("/Resources").clone(writer)
        resources = cast(DictionaryObject, page[NameObject("/Resources")].get_object())
        if NameObject("/XObject") not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        forms = cast(DictionaryObject, resources[NameObject("/XObject")].get_object())
        forms[name] = writer._add_object(form.flate_encode())
        # raw_get: the reference, not the stream, or the stream is written twice.
        contents = page.raw_get("/Contents")
        parts = contents.get_object()
        streams = list(parts) if isinstance(parts, ArrayObject) else [contents]
        # The page's own drawing in q … Q, so its graphics state cannot move the stamp.
        page[NameObject("/Contents")] = ArrayObject(
            [_stream(writer, b"q"), *streams, _stream(writer, f"Q {name} Do".encode())]
        )


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)
