"""The one print order of an audit: kind → section → (key risk) → viewpoint → finding →
sub-item. The audit page, the HTML preview, the PDF, the Excel file and the CSV all walk
what `outline()` returns; none of them orders findings on its own.

It works on findings already loaded (with kind, viewpoint__key_risk and parent), so it
costs no query, and it is the same function whether the findings are every finding of
the audit (the audit page) or a selection (a report narrowed by department or status).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from audits.models import KeyRisk, Section, Viewpoint
from findings.models import Finding, FindingKind, FindingSubclass, StatusSnapshot, label_path_of

# Printed in the key-risk table where a viewpoint produced no finding.
NO_FINDING = "—"


@dataclass(slots=True, eq=False)
class PlainParent:
    """What a sub-item reads of its parent: its place and its number."""

    pk: int
    parent_id: int | None
    label: str
    sort_order: int
    viewpoint: Viewpoint | None


@dataclass(slots=True, eq=False)
class PlainFinding:
    """A finding as a report reads it: the printed columns of one database row, with
    one shared instance of each kind, viewpoint and subclass. Model instances were most
    of the time of a report of 50,000 findings; outline() takes either."""

    pk: int
    audit_id: int
    kind_id: int
    section_id: int | None
    viewpoint_id: int | None
    parent_id: int | None
    label: str
    sort_order: int
    title: str
    body: str
    due_date: datetime.date | None
    has_sub_items: bool
    kind: FindingKind
    viewpoint: Viewpoint | None
    subclass: FindingSubclass | None
    parent: PlainParent | None
    current_status: StatusSnapshot

    @property
    def label_path(self) -> str:
        """As Finding.label_path."""
        parent = self.parent
        if parent is None:
            return label_path_of([self.label], self.viewpoint)
        return label_path_of([self.label, parent.label], parent.viewpoint)


# What outline() orders: findings of a page, or a report's plain rows.
AnyFinding = Finding | PlainFinding


@dataclass(slots=True)  # one per finding: a report of 50,000 holds them all at once
class OutlineFinding:
    finding: AnyFinding
    depth: int  # 0 for a finding, 1 for a sub-item (ア, イ)
    path: str  # "(3)①", "(5)③ア", "指摘事項1"
    key_risk_heading: KeyRisk | None = None  # printed before this finding: a new key risk
    viewpoint_heading: Viewpoint | None = None  # printed before this finding: a new viewpoint
    children: list[OutlineFinding] = field(default_factory=list)
    is_first: bool = False  # among its siblings, for the reorder buttons
    is_last: bool = False

    def walk(self) -> Iterator[OutlineFinding]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class OutlineSection:
    section: Section | None  # None for findings outside every section
    findings: list[OutlineFinding]

    @property
    def number(self) -> str:
        return self.section.number if self.section else ""

    @property
    def title(self) -> str:
        return self.section.title if self.section else ""

    def walk(self) -> Iterator[OutlineFinding]:
        for node in self.findings:
            yield from node.walk()


@dataclass
class OutlineKind:
    kind: FindingKind
    sections: list[OutlineSection]

    @property
    def is_empty(self) -> bool:
        return not any(block.findings for block in self.sections)

    def walk(self) -> Iterator[tuple[OutlineSection, OutlineFinding]]:
        for block in self.sections:
            for node in block.walk():
                yield block, node


def _mark_ends(nodes: list[OutlineFinding]) -> None:
    for index, node in enumerate(nodes):
        node.is_first = index == 0
        node.is_last = index == len(nodes) - 1


def _print_key(finding: AnyFinding) -> tuple[int, int, int, int]:
    # A sub-item shown without its parent takes the parent's place.
    parent = finding.parent
    if parent is not None:
        return (parent.sort_order, parent.pk, 1, finding.sort_order)
    return (finding.sort_order, finding.pk, 0, 0)


def outline(
    kinds: Iterable[FindingKind], sections: Sequence[Section], findings: Iterable[AnyFinding]
) -> list[OutlineKind]:
    """The audit's findings as printed. `kinds` are the classes the audit reports (a
    finding of another class still gets its own block after them); every section is
    listed, empty or not, so a report can print 特になし under it; findings outside any
    section come last. A sub-item whose parent is not among `findings` stands at the
    top level in its parent's place."""
    ordered = sorted(findings, key=_print_key)
    present = {f.pk for f in ordered}
    nodes: dict[int, OutlineFinding] = {}
    tops: dict[tuple[int, int | None], list[OutlineFinding]] = defaultdict(list)
    for finding in ordered:
        if finding.parent_id is not None and finding.parent_id in present:
            parent = nodes[finding.parent_id]
            node = OutlineFinding(finding, 1, parent.path + finding.label)
            parent.children.append(node)
        else:
            node = OutlineFinding(finding, 0, finding.label_path)
            tops[(finding.kind_id, finding.section_id)].append(node)
        nodes[finding.pk] = node

    all_kinds = sorted(set(kinds), key=lambda k: (k.sort_order, k.pk))
    # By id first: hashing a model instance reads its pk, for every finding.
    extra = set({f.kind_id: f.kind for f in ordered}.values()) - set(all_kinds)
    all_kinds += sorted(extra, key=lambda k: (k.sort_order, k.pk))
    slots: list[Section | None] = list(sections)
    if not slots or any(section_id is None for _, section_id in tops):
        slots.append(None)

    result = []
    for kind in all_kinds:
        blocks = []
        for section in slots:
            top_nodes = tops.get((kind.pk, section.pk if section else None), [])
            if section is None and not top_nodes and slots != [None]:
                continue
            previous_risk: int | None = None
            previous_viewpoint: int | None = None
            for node in top_nodes:
                viewpoint = node.finding.viewpoint
                if viewpoint is not None:
                    if viewpoint.key_risk_id and viewpoint.key_risk_id != previous_risk:
                        node.key_risk_heading = viewpoint.key_risk
                    if node.finding.viewpoint_id != previous_viewpoint:
                        node.viewpoint_heading = viewpoint
                    previous_risk = viewpoint.key_risk_id
                previous_viewpoint = node.finding.viewpoint_id
                _mark_ends(node.children)
            _mark_ends(top_nodes)
            blocks.append(OutlineSection(section, top_nodes))
        result.append(OutlineKind(kind, blocks))
    return result


def top_level(kinds: Iterable[OutlineKind]) -> list[OutlineFinding]:
    """The top-level findings of an outline in print order (each carries its sub-items)."""
    return [node for kind in kinds for block in kind.sections for node in block.findings]


@dataclass(frozen=True)
class PageSection:
    """One section's share of a page of the outline."""

    section: Section | None
    findings: list[OutlineFinding]
    continued: bool  # its earlier findings are on the page before

    @property
    def number(self) -> str:
        return self.section.number if self.section else ""

    @property
    def title(self) -> str:
        return self.section.title if self.section else ""


@dataclass(frozen=True)
class PageKind:
    """One class's share of a page of the outline."""

    kind: FindingKind
    sections: list[PageSection]
    is_empty: bool  # no finding of this class in the whole outline: 特になし


def outline_slice(
    kinds: Sequence[OutlineKind], start: int, stop: int, *, last: bool
) -> list[PageKind]:
    """The part of the outline that holds top-level findings start … stop - 1 (one page,
    each with its sub-items), under the headings of their class and section, repeated on
    each page a section spans. An empty class or section (特になし) shows on the page
    where it falls in print order; `last` says this page takes what falls after stop."""

    def falls_here(position: int) -> bool:
        return start <= position and (position < stop or last)

    pages: list[PageKind] = []
    position = 0
    for group in kinds:
        if group.is_empty:
            if falls_here(position):
                blocks = [PageSection(b.section, [], False) for b in group.sections]
                pages.append(PageKind(group.kind, blocks, True))
            continue
        shown: list[PageSection] = []
        for block in group.sections:
            count = len(block.findings)
            if not count:
                if falls_here(position):
                    shown.append(PageSection(block.section, [], False))
                continue
            low, high = max(start, position), min(stop, position + count)
            if low < high:
                part = block.findings[low - position : high - position]
                shown.append(PageSection(block.section, part, low > position))
            position += count
        if shown:
            pages.append(PageKind(group.kind, shown, False))
    return pages


@dataclass(frozen=True)
class KeyRiskViewpoint:
    viewpoint: Viewpoint
    findings: tuple[str, ...]  # the numbers of the findings that answer it

    @property
    def result_text(self) -> str:
        return "、".join(self.findings) or NO_FINDING


@dataclass(frozen=True)
class KeyRiskRow:
    key_risk: KeyRisk
    viewpoints: tuple[KeyRiskViewpoint, ...]


def finding_reference(node: OutlineFinding) -> str:
    """How the key-risk table names a finding: its number, else its title."""
    finding = node.finding
    return node.path or finding.title or finding.body[:20]


def key_risk_table(
    key_risks: Sequence[KeyRisk],
    viewpoints: Sequence[Viewpoint],
    kinds: Sequence[OutlineKind],
    extra_viewpoints: Mapping[int, Sequence[int]],
) -> list[KeyRiskRow]:
    """重要リスク | 着眼点 | 監査の結果: for each viewpoint the findings that answer it
    (its first viewpoint or one of `extra_viewpoints`, by finding id), in print order,
    "—" where none. Empty when the audit has no key risks."""
    if not key_risks:
        return []
    # A dict per viewpoint as an ordered set: a list's `in` made a viewpoint answered by
    # thousands of findings quadratic.
    answers: dict[int, dict[str, None]] = defaultdict(dict)
    for kind in kinds:
        for _, node in kind.walk():
            if node.depth:
                continue  # a sub-item answers through its parent
            finding = node.finding
            ids = [finding.viewpoint_id, *extra_viewpoints.get(finding.pk, ())]
            reference = finding_reference(node)
            for viewpoint_id in ids:
                if viewpoint_id is not None:
                    answers[viewpoint_id].setdefault(reference, None)
    by_risk: dict[int, list[Viewpoint]] = defaultdict(list)
    for viewpoint in viewpoints:
        if viewpoint.key_risk_id is not None:
            by_risk[viewpoint.key_risk_id].append(viewpoint)
    return [
        KeyRiskRow(
            risk,
            tuple(
                KeyRiskViewpoint(v, tuple(answers.get(v.pk, ())))
                for v in sorted(by_risk.get(risk.pk, []), key=lambda v: (v.sort_order, v.pk))
            ),
        )
        for risk in sorted(key_risks, key=lambda r: (r.sort_order, r.pk))
    ]
