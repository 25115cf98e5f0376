"""The one source of every 措置状況 report: a selection of findings becomes audits →
kinds → sections → rows. The HTML preview, PDF, Excel and CSV all render this structure
and nothing else (see CONVENTIONS: one row source, many formats).

Everything is loaded in a fixed number of queries whatever the number of findings.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from audits.models import Audit, Department
from audits.wareki import format_fiscal_year, format_wareki
from findings.access import visible_findings
from findings.models import UNREPORTED_LABEL, Finding, FindingQuerySet, StatusSnapshot
from remediation.models import RemediationEntry, RemediationStatus

if TYPE_CHECKING:
    from audits.access import AnyUser

NOTHING = "特になし"
REPORT_SUFFIX = "に基づく措置状況等の報告"


@dataclass(frozen=True)
class Selection:
    """What a report covers. Empty means every finding the user may see."""

    audit_id: int | None = None
    fiscal_year: int | None = None
    department_id: int | None = None
    open_only: bool = False
    as_of: datetime.date | None = None

    def apply(self, findings: FindingQuerySet) -> FindingQuerySet:
        if self.audit_id is not None:
            findings = findings.filter(audit_id=self.audit_id)
        if self.fiscal_year is not None:
            findings = findings.filter(audit__fiscal_year=self.fiscal_year)
        if self.department_id is not None:
            findings = findings.filter(departments__id=self.department_id)
        return findings

    def describe(self, department: Department | None = None) -> str:
        """ "令和2年度・総務部 ICT戦略課・未措置のみ・令和3年9月30日現在" (empty for a plain
        per-audit report)."""
        parts: list[str] = []
        if self.fiscal_year is not None:
            parts.append(format_fiscal_year(self.fiscal_year))
        if department is not None:
            parts.append(department.full_name)
        if self.open_only:
            parts.append("未措置のみ")
        if self.as_of is not None:
            parts.append(f"{format_wareki(self.as_of)}現在")
        return "・".join(parts)


@dataclass(frozen=True)
class EntryRow:
    status: str
    date: datetime.date
    content: str
    department: str

    @property
    def date_text(self) -> str:
        return format_wareki(self.date, padded=True)

    @property
    def heading(self) -> str:
        """ "【 措置済 】 令和 3年 5月31日", as the official table prints it."""
        return f"【 {self.status} 】 {self.date_text}"


@dataclass(frozen=True)
class ViewpointHead:
    number: str
    text: str

    @property
    def line(self) -> str:
        return f"{self.number} {self.text}"


@dataclass(frozen=True)
class FindingRow:
    finding_id: int
    depth: int  # 0 for a finding, 1 for a sub-item (ア, イ)
    viewpoint: ViewpointHead | None  # printed before this row: only the first of a run
    viewpoint_number: str
    label: str
    path: str  # "(3)①", "(5)③ア", "(1)"
    title: str
    body: str
    departments: tuple[str, ...]
    status: StatusSnapshot  # current, or as of the selection's date
    is_container: bool  # introduces sub-items and takes no entries of its own
    due_date: datetime.date | None
    entries: tuple[EntryRow, ...]

    @property
    def heading(self) -> str:
        """Label and title on one line: "① サーバ室内の整理整頓について"."""
        return " ".join(part for part in (self.label, self.title) if part)


@dataclass
class SectionBlock:
    number: str  # "" for findings outside any section
    title: str
    rows: list[FindingRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return " ".join(part for part in (self.number, self.title) if part)


@dataclass
class KindBlock:
    code: str
    name: str
    heading: str  # "指 摘"
    sections: list[SectionBlock]

    @property
    def is_empty(self) -> bool:
        return not any(section.rows for section in self.sections)


@dataclass
class AuditBlock:
    audit_id: int
    fiscal_year: int
    fiscal_year_label: str
    kind_name: str
    theme: str
    targets: str
    period_text: str
    report_number: str
    kinds: list[KindBlock]

    @property
    def title(self) -> str:
        names = "・".join(k.name for k in self.kinds)
        return f"{self.fiscal_year_label} {self.kind_name}の結果（{names}）{REPORT_SUFFIX}"

    @property
    def header_lines(self) -> list[tuple[str, str, str]]:
        """(number, label, value) rows printed under the title."""
        return [
            ("1", "監査の種類", self.kind_name),
            ("2", "監査のテーマ", self.theme),
            ("3", "監査対象", self.targets),
            ("4", "監査実施期間", self.period_text),
        ]

    def rows(self) -> list[tuple[KindBlock, SectionBlock, FindingRow]]:
        return [(k, s, r) for k in self.kinds for s in k.sections for r in s.rows]


@dataclass(frozen=True)
class SummaryLine:
    label: str
    counts: tuple[int, ...]  # one per Summary.columns

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Summary:
    """集計: findings by current status (plus 未報告) per audit and per department.
    Sub-item parents are not counted: their sub-items are."""

    columns: list[str]
    by_audit: list[SummaryLine]
    by_department: list[SummaryLine]

    @property
    def totals(self) -> SummaryLine:
        sums = [sum(line.counts[i] for line in self.by_audit) for i in range(len(self.columns))]
        return SummaryLine("合計", tuple(sums))


@dataclass
class Report:
    title: str
    selection: Selection
    selection_label: str
    generated_at: datetime.datetime
    audits: list[AuditBlock]
    summary: Summary

    @property
    def finding_count(self) -> int:
        return sum(len(a.rows()) for a in self.audits)

    @property
    def as_of_text(self) -> str:
        return f"{format_wareki(self.selection.as_of)}現在" if self.selection.as_of else ""


def period_text(start: datetime.date, end: datetime.date | None) -> str:
    text = format_wareki(start, padded=True)
    if end is not None and end != start:
        text += f" ～ {format_wareki(end, padded=True)}"
    return text


@dataclass
class _Loaded:
    """The selected findings and, by finding id, their entries and department names:
    plain rows rather than model instances, which at 5,000 findings are most of the cost."""

    findings: list[Finding]
    entries: dict[int, list[EntryRow]]
    departments: dict[int, tuple[str, ...]]


def _finding_rows(qs: FindingQuerySet, as_of: datetime.date | None) -> FindingQuerySet:
    return qs.with_status(as_of).annotate(
        has_children=Exists(Finding.objects.filter(parent=OuterRef("pk")))
    )


def _attach(
    findings: FindingQuerySet,
    as_of: datetime.date | None,
    loaded: _Loaded,
    status_names: dict[int, str],
    department_names: dict[int, str],
) -> None:
    """Entries (in date order) and department names of `findings`: one query each, with
    the selection as a subquery so no list of ids is sent however large it is."""
    ids = findings.values("pk")
    entries = RemediationEntry.objects.filter(finding_id__in=ids)
    if as_of is not None:
        entries = entries.filter(entry_date__lte=as_of)
    rows = entries.order_by("entry_date", "recorded_at", "id").values_list(
        "finding_id", "status_id", "entry_date", "content", "author_department_id"
    )
    for finding_id, status_id, day, content, department_id in rows:
        loaded.entries.setdefault(finding_id, []).append(
            EntryRow(
                status=status_names[status_id],
                date=day,
                content=content,
                department=department_names.get(department_id, ""),
            )
        )
    links = (
        Finding.departments.through.objects.filter(finding_id__in=ids)
        .order_by("department__sort_order", "department__code")
        .values_list("finding_id", "department_id")
    )
    names: dict[int, list[str]] = defaultdict(list)
    for finding_id, department_id in links:
        names[finding_id].append(department_names[department_id])
    loaded.departments.update({k: tuple(v) for k, v in names.items()})


def _load_findings(
    user: AnyUser,
    selection: Selection,
    base: FindingQuerySet | None,
    status_names: dict[int, str],
    department_names: dict[int, str],
) -> _Loaded:
    qs = _finding_rows(selection.apply(visible_findings(user, base)), selection.as_of)
    if selection.open_only:
        qs = qs.open()
    qs = qs.select_related("kind", "viewpoint", "parent__viewpoint").in_print_order().distinct()
    loaded = _Loaded(list(qs), {}, {})
    _attach(qs, selection.as_of, loaded, status_names, department_names)
    # A sub-item chosen without its parent (e.g. by a text search) still prints under it,
    # but only a parent the user may see: otherwise the sub-item stands in its place.
    present = {f.pk for f in loaded.findings}
    missing = {f.parent_id for f in loaded.findings if f.parent_id and f.parent_id not in present}
    if missing:
        parents = _finding_rows(
            visible_findings(user, Finding.objects.filter(pk__in=missing)), selection.as_of
        ).select_related("kind", "viewpoint")
        loaded.findings.extend(parents)
        _attach(parents, selection.as_of, loaded, status_names, department_names)
    return loaded


def _row(
    finding: Finding,
    depth: int,
    viewpoint: ViewpointHead | None,
    path: str,
    loaded: _Loaded,
) -> FindingRow:
    return FindingRow(
        finding_id=finding.pk,
        depth=depth,
        viewpoint=viewpoint,
        viewpoint_number=finding.viewpoint.number if finding.viewpoint is not None else "",
        label=finding.label,
        path=path,
        title=finding.title,
        body=finding.body,
        departments=loaded.departments.get(finding.pk, ()),
        status=finding.current_status,
        is_container=finding.has_sub_items,
        due_date=finding.due_date,
        entries=tuple(loaded.entries.get(finding.pk, ())),
    )


def _audit_blocks(loaded: _Loaded, audit_ids: list[int]) -> list[AuditBlock]:
    findings = loaded.findings
    audits = (
        Audit.objects.filter(pk__in=audit_ids)
        .select_related("kind")
        .prefetch_related(
            "sections",
            "finding_kinds",
            Prefetch("audited_departments", queryset=Department.objects.select_related("parent")),
            "systems",
        )
        .order_by("-fiscal_year", "period_start", "id")
    )
    loaded_ids = {f.pk for f in findings}

    def print_key(finding: Finding) -> tuple[int, int, int, int]:
        # A sub-item whose parent is not shown takes the parent's place.
        if finding.parent is not None:
            return (finding.parent.sort_order, finding.parent.pk, 1, finding.sort_order)
        return (finding.sort_order, finding.pk, 0, 0)

    children: dict[int, list[Finding]] = defaultdict(list)
    tops: dict[int, list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=print_key):
        if finding.parent_id in loaded_ids:
            children[finding.parent_id].append(finding)
        else:
            tops[finding.audit_id].append(finding)

    blocks = []
    for audit in audits:
        sections = sorted(audit.sections.all(), key=lambda s: (s.sort_order, s.pk))
        audit_tops = tops.get(audit.pk, [])
        known_kinds = sorted(audit.finding_kinds.all(), key=lambda k: (k.sort_order, k.pk))
        extra = {f.kind for f in audit_tops} - set(known_kinds)
        kinds = known_kinds + sorted(extra, key=lambda k: (k.sort_order, k.pk))
        kind_blocks = []
        for kind in kinds:
            of_kind = [f for f in audit_tops if f.kind_id == kind.pk]
            targets = [SectionBlock(s.number, s.title) for s in sections]
            by_section: dict[int | None, SectionBlock] = {
                s.pk: block for s, block in zip(sections, targets, strict=True)
            }
            loose = SectionBlock("", "")
            last_viewpoint: dict[int, int | None] = {}
            for finding in of_kind:
                block = by_section.get(finding.section_id, loose)
                kids = children.get(finding.pk, [])
                if finding.has_sub_items and not kids:
                    continue  # a parent whose sub-items are all outside the selection
                head = None
                viewpoint = finding.viewpoint  # select_related: no query
                if viewpoint is not None and last_viewpoint.get(id(block)) != viewpoint.pk:
                    head = ViewpointHead(viewpoint.number, viewpoint.text)
                last_viewpoint[id(block)] = finding.viewpoint_id
                path = finding.label_path
                block.rows.append(_row(finding, 0, head, path, loaded))
                for kid in kids:
                    block.rows.append(_row(kid, 1, None, path + kid.label, loaded))
            if loose.rows:
                targets.append(loose)
            kind_blocks.append(
                KindBlock(kind.code, kind.name, kind.report_heading, targets or [loose])
            )
        departments = "、".join(d.full_name for d in audit.audited_departments.all())
        systems = "、".join(s.name for s in audit.systems.all())
        blocks.append(
            AuditBlock(
                audit_id=audit.pk,
                fiscal_year=audit.fiscal_year,
                fiscal_year_label=format_fiscal_year(audit.fiscal_year),
                kind_name=audit.kind.name,
                theme=audit.theme,
                targets=f"{departments}（{systems}）" if systems else departments,
                period_text=period_text(audit.period_start, audit.period_end),
                report_number=audit.report_number,
                kinds=kind_blocks,
            )
        )
    return blocks


def _summary(audits: list[AuditBlock], statuses: list[str]) -> Summary:
    columns = [*statuses, UNREPORTED_LABEL]
    index = {name: i for i, name in enumerate(columns)}

    def line(label: str, rows: list[FindingRow]) -> SummaryLine:
        counts = [0] * len(columns)
        for row in rows:
            counts[index.get(row.status.name, index[UNREPORTED_LABEL])] += 1
        return SummaryLine(label, tuple(counts))

    by_department: dict[str, list[FindingRow]] = defaultdict(list)
    by_audit = []
    for audit in audits:
        leaves = [row for _, _, row in audit.rows() if not row.is_container]
        by_audit.append(
            line(f"{audit.fiscal_year_label} {audit.kind_name}「{audit.theme}」", leaves)
        )
        for row in leaves:
            for department in row.departments:
                by_department[department].append(row)
    return Summary(
        columns=columns,
        by_audit=by_audit,
        by_department=[line(name, rows) for name, rows in sorted(by_department.items())],
    )


def build_report(
    user: AnyUser, selection: Selection, findings: FindingQuerySet | None = None
) -> Report:
    """The report of `selection`, narrowed to `findings` when given (e.g. the finding
    list's current filters), always within what `user` may see."""
    statuses = list(
        RemediationStatus.objects.order_by("sort_order", "id").values_list("pk", "name")
    )
    departments = {d.pk: d for d in Department.objects.select_related("parent")}
    loaded = _load_findings(
        user,
        selection,
        findings,
        status_names=dict(statuses),
        department_names={pk: d.full_name for pk, d in departments.items()},
    )
    audit_ids = sorted({f.audit_id for f in loaded.findings})
    if selection.audit_id is not None and selection.audit_id not in audit_ids:
        # A per-audit report prints the audit even when nothing is selected (特になし).
        from audits.access import visible_audits

        if visible_audits(user).filter(pk=selection.audit_id).exists():
            audit_ids.append(selection.audit_id)
    audits = _audit_blocks(loaded, audit_ids)
    department = departments.get(selection.department_id) if selection.department_id else None
    label = selection.describe(department)
    if len(audits) == 1 and selection.audit_id is not None:
        title = audits[0].title
    else:
        title = f"{label or '全件'} 監査の結果に基づく措置状況等の報告"
    return Report(
        title=title,
        selection=selection,
        selection_label=label,
        generated_at=timezone.localtime(),
        audits=audits,
        summary=_summary(audits, [name for _, name in statuses]),
    )
