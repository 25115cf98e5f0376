"""The one source of every 措置状況 report: a selection of findings becomes audits →
kinds → sections → rows. The HTML preview, PDF, Excel and CSV all render this structure
and nothing else (see CONVENTIONS: one row source, many formats).

Everything is loaded in a fixed number of queries whatever the number of findings.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    Model,
    OuterRef,
    Prefetch,
    Q,
    Value,
)
from django.utils import timezone

from audits.models import Audit, Department, KeyRisk, Viewpoint, format_period
from audits.wareki import format_fiscal_year, format_wareki
from findings.access import visible_findings
from findings.models import (
    UNREPORTED,
    UNREPORTED_LABEL,
    Finding,
    FindingKind,
    FindingQuerySet,
    FindingSubclass,
    FindingViewpoint,
    StatusBasis,
    StatusSnapshot,
    annotated_status,
    counting_entries,
)
from findings.outline import (
    KeyRiskRow,
    OutlineFinding,
    PlainFinding,
    PlainParent,
    key_risk_table,
    outline,
)
from organisation.naming import departments_as_of, departments_of_findings_as_of, naming_date
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
    basis: str = StatusBasis.ACCEPTED

    @property
    def basis_label(self) -> str:
        """Printed on every report: which entries it was built from."""
        return StatusBasis(self.basis).label

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


# EntryRow and FindingRow are not frozen: a frozen dataclass sets each field through
# object.__setattr__, which for the 200,000 rows of a report of 50,000 findings took
# longer than everything else done to them. Nothing changes them once made.
@dataclass(slots=True)
class EntryRow:
    status: str
    date: datetime.date
    content: str
    department: str
    pending: bool = False  # submitted, not yet reviewed (working version only)

    @property
    def date_text(self) -> str:
        return format_wareki(self.date, padded=True)

    @property
    def heading(self) -> str:
        """ "【 措置済 】 令和 3年 5月31日", as the official table prints it."""
        mark = "（審査待ち）" if self.pending else ""
        return f"【 {self.status} 】 {self.date_text}{mark}"


@dataclass(frozen=True)
class ViewpointHead:
    """A heading printed before a finding: a key risk or a viewpoint, its number kept
    apart from its text so every format spaces it the same way."""

    number: str
    text: str

    @property
    def line(self) -> str:
        return " ".join(part for part in (self.number, self.text) if part)


@dataclass(slots=True)
class FindingRow:
    finding_id: int
    depth: int  # 0 for a finding, 1 for a sub-item (ア, イ)
    key_risk: ViewpointHead | None  # printed before this row when the key risk changes
    viewpoint: ViewpointHead | None  # printed before this row: only the first of a run
    viewpoint_number: str
    viewpoint_text: str
    key_risk_text: str  # the key risk of the viewpoint, "(2) 情報資産…", on every row
    extra_viewpoints: tuple[str, ...]  # the further viewpoints it answers, "(2) イ"
    label: str
    path: str  # "(3)①", "(5)③ア", "(1)"
    title: str
    body: str
    subclass: str  # "是正", "" when none
    departments: tuple[str, ...]
    addressee: str  # "【市民局（施設担当）に対して】" when the audit covers several departments
    status: StatusSnapshot  # current, or as of the selection's date
    is_container: bool  # introduces sub-items and takes no entries of its own
    due_date: datetime.date | None
    entries: tuple[EntryRow, ...]

    @property
    def heading(self) -> str:
        """Label and title on one line: "① サーバ室内の整理整頓について"."""
        return " ".join(part for part in (self.label, self.title) if part)

    @property
    def subclass_mark(self) -> str:
        return f"【{self.subclass}】" if self.subclass else ""


@dataclass
class SectionBlock:
    number: str  # "" for findings outside any section
    title: str
    rows: list[FindingRow] = field(default_factory=list)
    continued: bool = False  # goes on from the previous part of a PDF made in parts

    @property
    def heading(self) -> str:
        return " ".join(part for part in (self.number, self.title) if part)


@dataclass
class KindBlock:
    code: str
    name: str
    heading: str  # "指 摘"
    sections: list[SectionBlock]
    continued: bool = False  # goes on from the previous part of a PDF made in parts

    @property
    def is_empty(self) -> bool:
        return not any(section.rows for section in self.sections)


@dataclass
class AuditBlock:
    audit_id: int
    fiscal_year: int
    fiscal_year_label: str
    kind_name: str  # "財務監査・行政監査"
    theme: str
    targets: str
    period_text: str  # "" when the audit gives no period
    report_number: str
    report_date: datetime.date | None
    report_date_text: str  # "令和6年3月29日", or "平成29年1月" where only the month is given
    signers: tuple[str, ...]
    notice_date: datetime.date | None
    kinds: list[KindBlock]
    key_risks: list[KeyRiskRow]
    continued: bool = False  # goes on from the previous part of a PDF made in parts

    @property
    def title(self) -> str:
        names = "・".join(k.name for k in self.kinds)
        return f"{self.fiscal_year_label} {self.kind_name}の結果（{names}）{REPORT_SUFFIX}"

    @property
    def header_lines(self) -> list[tuple[str, str, str]]:
        """(number, label, value) rows printed under the title; a line the audit leaves
        empty (no period, no notice date) is left out and the rest numbered on."""
        lines = [
            ("監査の種類", self.kind_name),
            ("監査のテーマ", self.theme),
            ("監査対象", self.targets),
            ("監査実施期間", self.period_text),
            ("措置の通知日", format_wareki(self.notice_date) if self.notice_date else ""),
        ]
        present = [(label, value) for label, value in lines if value]
        return [(str(i), label, value) for i, (label, value) in enumerate(present, 1)]

    @property
    def issuer_lines(self) -> list[str]:
        """報告番号, 報告日 and the signing 監査委員, printed above the title."""
        return [line for line in (self.report_number, self.report_date_text, *self.signers) if line]

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
        """Counted as every page counts (FindingQuerySet.counted): not the parents that
        only introduce sub-items."""
        return sum(1 for a in self.audits for _, _, row in a.rows() if not row.is_container)

    @property
    def as_of_text(self) -> str:
        return f"{format_wareki(self.selection.as_of)}現在" if self.selection.as_of else ""


@dataclass
class _Loaded:
    """The selected findings and, by finding id, their entries and department names:
    plain rows rather than model instances, which at 5,000 findings are most of the cost."""

    findings: list[PlainFinding]
    entries: dict[int, list[EntryRow]]
    departments: dict[int, tuple[int, ...]]
    extra_viewpoints: dict[int, list[int]]


def _status_in_query(selection: Selection) -> bool:
    """Whether the findings' query annotates their status. The published status of
    today is read from the finding's kept columns; a status as of a date or on the
    working basis is five correlated subqueries a finding, which the entries the report
    loads anyway give for nothing (the latest of them), unless the query filters on it
    (未措置のみ)."""
    return selection.open_only or (
        selection.as_of is None and selection.basis == StatusBasis.ACCEPTED
    )


def _finding_rows(
    qs: FindingQuerySet, selection: Selection, with_status: bool = True
) -> FindingQuerySet:
    if with_status or _status_in_query(selection):
        qs = qs.with_status(selection.as_of, selection.basis)
    return qs.annotate(has_children=Exists(Finding.objects.filter(parent=OuterRef("pk"))))


def _id_in(field: str, ids: list[int]) -> Q:
    """`field` among `ids`. On PostgreSQL as one array parameter (= ANY): Django and
    psycopg prepare and splice an IN list parameter by parameter, which for the two
    thousand ids of a streamed part cost more than the database did."""
    if connection.vendor == "postgresql":
        return Q(_AnyOf(F(field), Value(ids, output_field=_IdArray(BigIntegerField()))))
    return Q(**{f"{field}__in": ids})


class _IdArray(ArrayField):  # type: ignore[type-arg]
    """An array of ids handed to the driver as one text, '{1,2,3}', cast in the query:
    ArrayField would prepare the thousands of ints of a part one by one, and psycopg
    then check and quote each again (a twentieth of the time of a streamed CSV)."""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return "{" + ",".join(map(str, map(int, value))) + "}"


class _AnyOf(Func):
    """column = ANY(array), a condition."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s::bigint[]))"
    output_field = BooleanField()


# Up to this many findings, the queries of their entries, departments and viewpoints
# name them by id (an index lookup each); a larger selection is sent as a subquery,
# so no list of ids grows with it. A streamed part is always below it: repeating its
# selection (two long id lists and the access rules) in four subqueries cost more than
# the rows.
ID_LIST_LIMIT = 5000


def _attach(
    findings: FindingQuerySet,
    selection: Selection,
    loaded: _Loaded,
    statuses: dict[int, StatusSnapshot],
    departments: dict[int, Department],
    day: datetime.date,
    rows_loaded: list[PlainFinding],
) -> None:
    """Entries (in date order) and departments of `findings` (as addressed on `day`, the
    report's naming date): one query each, plus one for the reorganisations' transfers.
    `rows_loaded` are the findings `findings` selected; up to ID_LIST_LIMIT of them are
    named by id, more by the selection as a subquery. Findings loaded without their
    status get it from their latest entry, as with_status() would compute it."""
    if len(rows_loaded) <= ID_LIST_LIMIT:
        of_findings = _id_in("finding_id", [f.pk for f in rows_loaded])
    else:
        of_findings = Q(finding_id__in=findings.values("pk"))
    latest: dict[int, tuple[int | None, datetime.date | None]] = {}
    entries = counting_entries(RemediationEntry.objects.filter(of_findings), selection.basis)
    if selection.as_of is not None:
        entries = entries.filter(entry_date__lte=selection.as_of)
    rows = entries.order_by("entry_date", "recorded_at", "id").values_list(
        "finding_id", "status_id", "entry_date", "content", "author_department_id", "review"
    )
    # One string per department, not one per entry: full_name joins two names anew.
    names = {pk: department.full_name for pk, department in departments.items()}
    # Read a chunk at a time: the driver would otherwise hold every entry's text at once
    # (150,000 for a report of 50,000 findings) beside the rows made from them.
    status_names = {pk: status.name for pk, status in statuses.items()}
    entries_of = loaded.entries.setdefault
    for finding_id, status_id, entry_date, content, department_id, review in rows.iterator(
        chunk_size=LOAD_CHUNK
    ):
        latest[finding_id] = (status_id, entry_date)
        entries_of(finding_id, []).append(
            EntryRow(
                status_names[status_id],
                entry_date,
                content,
                names.get(department_id, ""),
                review is None,
            )
        )
    links = Finding.departments.through.objects.filter(of_findings).values_list(
        "finding_id", "department_id"
    )
    ids_by_finding: dict[int, list[int]] = defaultdict(list)
    for finding_id, department_id in links.iterator(chunk_size=LOAD_CHUNK):
        ids_by_finding[finding_id].append(department_id)
    then = departments_of_findings_as_of(ids_by_finding, of_findings, day)

    def print_order(pk: int) -> tuple[int, str]:
        dept = departments.get(pk)
        return (dept.sort_order, dept.code) if dept is not None else (0, "")

    in_order: dict[tuple[int, ...], tuple[int, ...]] = {}  # most findings share a few sets
    for finding_id, ids in then.items():
        key = tuple(ids)
        ordered = in_order.get(key)
        if ordered is None:
            ordered = in_order[key] = tuple(sorted(key, key=print_order))
        loaded.departments[finding_id] = ordered
    extra = FindingViewpoint.objects.filter(of_findings).order_by("position", "id")
    for finding_id, viewpoint_id in extra.values_list("finding_id", "viewpoint_id"):
        loaded.extra_viewpoints.setdefault(finding_id, []).append(viewpoint_id)
    if _status_in_query(selection):
        return
    for finding in rows_loaded:
        # What with_status() would have annotated: the latest entry's status.
        latest_id, status_date = latest.get(finding.pk, (None, None))
        if latest_id is not None:
            status = statuses[latest_id]
            finding.current_status = StatusSnapshot(
                status.name, status_date, bool(status.is_closed), latest_id, status.code or ""
            )


def _selected(
    user: AnyUser, selection: Selection, base: FindingQuerySet | None, with_status: bool = True
) -> FindingQuerySet:
    qs = _finding_rows(selection.apply(visible_findings(user, base)), selection, with_status)
    return qs.open() if selection.open_only else qs


# Findings read from the database at a time: the driver holds this many raw rows, not
# the whole selection, next to the model instances.
LOAD_CHUNK = 2000

# The columns of a finding a report prints, and of the kind, viewpoint (with its key
# risk), subclass and parent (with its viewpoint) it reads with them.
_FINDING_COLUMNS = (
    "pk",
    "audit_id",
    "kind_id",
    "section_id",
    "viewpoint_id",
    "parent_id",
    "label",
    "sort_order",
    "title",
    "body",
    "due_date",
    "has_children",
    "subclass_id",
    "parent__label",
    "parent__sort_order",
    "parent__parent_id",
    "parent__viewpoint_id",
)
_STATUS_COLUMNS = (
    "status_id_now",
    "status_name_now",
    "status_date_now",
    "status_closed_now",
    "status_code_now",
)


def _columns(path: str, model: type[Model]) -> list[str]:
    return [f"{path}__{f.attname}" for f in model._meta.concrete_fields]


class _PlainReader:
    """Findings read as values rather than model instances (Django's instances were most
    of the time of a report of 50,000 findings), with one instance of each kind,
    viewpoint, key risk and subclass, made from the row's joined columns the first time
    its id is seen."""

    _RELATED: tuple[tuple[str, type[Model]], ...] = (
        ("kind", FindingKind),
        ("viewpoint", Viewpoint),
        ("viewpoint__key_risk", KeyRisk),
        ("subclass", FindingSubclass),
        ("parent__viewpoint", Viewpoint),
    )

    def __init__(self, statuses_in_query: bool) -> None:
        self.statuses_in_query = statuses_in_query
        self.columns = [*_FINDING_COLUMNS, *(_STATUS_COLUMNS if statuses_in_query else ())]
        self._spans: list[tuple[str, type[Model], int, int]] = []
        for path, model in self._RELATED:
            start = len(self.columns)
            self.columns += _columns(path, model)
            self._spans.append((path, model, start, len(self.columns)))
        self._seen: dict[tuple[str, object], Model] = {}

    def _instance(self, row: tuple[Any, ...], span: tuple[str, type[Model], int, int]) -> Any:
        path, model, start, end = span
        pk = row[start]
        if pk is None:
            return None
        key = (path, pk)
        found = self._seen.get(key)
        if found is None:
            names = [f.attname for f in model._meta.concrete_fields]
            found = model.from_db(connection.alias, names, row[start:end])
            self._seen[key] = found
        return found

    def read(self, qs: FindingQuerySet) -> list[PlainFinding]:
        kind_span, viewpoint_span, risk_span, subclass_span, parent_vp_span = self._spans
        with_status = self.statuses_in_query
        status_at = len(_FINDING_COLUMNS)
        risk_field = Viewpoint._meta.get_field("key_risk")
        result = []
        for row in qs.values_list(*self.columns).iterator(chunk_size=LOAD_CHUNK):
            (pk, audit_id, kind_id, section_id, viewpoint_id, parent_id, label, sort_order,
             title, body, due_date, has_children, _subclass_id, parent_label,
             parent_sort_order, parent_parent_id, _parent_viewpoint_id) = row[:status_at]  # fmt: skip
            viewpoint = self._instance(row, viewpoint_span)
            if viewpoint is not None and not risk_field.is_cached(viewpoint):
                # Its key risk from the same row, never a query.
                risk_field.set_cached_value(viewpoint, self._instance(row, risk_span))
            parent = None
            if parent_id is not None:
                parent = PlainParent(
                    parent_id,
                    parent_parent_id,
                    parent_label,
                    parent_sort_order,
                    self._instance(row, parent_vp_span),
                )
            status = (
                annotated_status(dict(zip(_STATUS_COLUMNS, row[status_at:], strict=False)))
                if with_status
                else UNREPORTED  # set from the entries by _attach
            )
            result.append(
                PlainFinding(
                    pk=pk,
                    audit_id=audit_id,
                    kind_id=kind_id,
                    section_id=section_id,
                    viewpoint_id=viewpoint_id,
                    parent_id=parent_id,
                    label=label,
                    sort_order=sort_order,
                    title=title,
                    body=body,
                    due_date=due_date,
                    has_sub_items=bool(has_children),
                    kind=self._instance(row, kind_span),
                    viewpoint=viewpoint,
                    subclass=self._instance(row, subclass_span),
                    parent=parent,
                    current_status=status,
                )
            )
        return result


def _load_findings(
    user: AnyUser,
    selection: Selection,
    base: FindingQuerySet | None,
    statuses: dict[int, StatusSnapshot],
    departments: dict[int, Department],
    day: datetime.date,
) -> _Loaded:
    qs = _selected(user, selection, base, with_status=False).in_print_order().distinct()
    reader = _PlainReader(_status_in_query(selection))
    loaded = _Loaded(reader.read(qs), {}, {}, {})
    _attach(qs, selection, loaded, statuses, departments, day, loaded.findings)
    # A sub-item chosen without its parent (e.g. by a text search) still prints under it,
    # but only a parent the user may see: otherwise the sub-item stands in its place.
    present = {f.pk for f in loaded.findings}
    missing = {f.parent_id for f in loaded.findings if f.parent_id and f.parent_id not in present}
    if missing:
        parents = _finding_rows(
            visible_findings(user, Finding.objects.filter(pk__in=missing)), selection, False
        )
        found = reader.read(parents)
        loaded.findings.extend(found)
        _attach(parents, selection, loaded, statuses, departments, day, found)
    return loaded


def viewpoint_reference(viewpoint: Viewpoint) -> str:
    """ "(2) イ" where numbers restart under each key risk, else "(3)"."""
    risk = viewpoint.key_risk
    return f"{risk.number} {viewpoint.number}" if risk is not None else viewpoint.number


class _Shared:
    """Values many rows print alike, made once: a report of 50,000 findings held a copy
    of its department's name and of its status on every row."""

    def __init__(self, departments: dict[int, Department]) -> None:
        self.departments = departments
        self.names = {pk: department.full_name for pk, department in departments.items()}
        self._statuses: dict[StatusSnapshot, StatusSnapshot] = {}
        self._named: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._addressed: dict[tuple[int, tuple[int, ...]], str] = {}
        self._risk_texts: dict[tuple[int, int], str] = {}

    def key_risk_text(self, audit: Audit, viewpoint: Viewpoint, by_id: dict[int, Viewpoint]) -> str:
        """ "(2) 情報資産…": the key risk of the audit's viewpoint (by_id), once per viewpoint."""
        key = (audit.pk, viewpoint.pk)
        text = self._risk_texts.get(key)
        if text is None:
            known = by_id.get(viewpoint.pk)
            key_risk = known.key_risk if known is not None else None
            text = self._risk_texts[key] = f"{key_risk.number} {key_risk.title}" if key_risk else ""
        return text

    def status(self, status: StatusSnapshot) -> StatusSnapshot:
        return self._statuses.setdefault(status, status)

    def department_names(self, ids: tuple[int, ...]) -> tuple[str, ...]:
        """The names of a finding's departments (those named on the naming date)."""
        names = self._named.get(ids)
        if names is None:
            names = self._named[ids] = tuple(self.names[pk] for pk in ids if pk in self.names)
        return names

    def addressee(self, audit: Audit, ids: tuple[int, ...]) -> str:
        key = (audit.pk, ids)
        text = self._addressed.get(key)
        if text is None:
            own = [self.departments[pk] for pk in ids if pk in self.departments]
            text = self._addressed[key] = "".join(audit.addressee_for(d) for d in own)
        return text


def _row(
    node: OutlineFinding,
    loaded: _Loaded,
    audit: Audit,
    viewpoints: dict[int, Viewpoint],
    addressed: bool,
    shared: _Shared,
) -> FindingRow:
    finding = node.finding
    viewpoint = finding.viewpoint
    if viewpoint is None and node.depth and finding.parent is not None:
        viewpoint = finding.parent.viewpoint
    risk = node.key_risk_heading
    heading = node.viewpoint_heading
    pk = finding.pk
    own = loaded.departments.get(pk, ())
    extra = loaded.extra_viewpoints.get(pk)
    return FindingRow(
        finding_id=pk,
        depth=node.depth,
        key_risk=ViewpointHead(risk.number, risk.title) if risk else None,
        viewpoint=ViewpointHead(heading.number, heading.text) if heading else None,
        viewpoint_number=viewpoint.number if viewpoint else "",
        viewpoint_text=viewpoint.text if viewpoint else "",
        key_risk_text=shared.key_risk_text(audit, viewpoint, viewpoints) if viewpoint else "",
        extra_viewpoints=tuple(
            viewpoint_reference(viewpoints[vp]) for vp in extra if vp in viewpoints
        )
        if extra
        else (),
        label=finding.label,
        path=node.path,
        title=finding.title,
        body=finding.body,
        subclass=finding.subclass.name if finding.subclass is not None else "",
        departments=shared.department_names(own),
        addressee=shared.addressee(audit, own) if addressed else "",
        status=shared.status(finding.current_status),
        is_container=finding.has_sub_items,
        due_date=finding.due_date,
        entries=tuple(loaded.entries.get(finding.pk, ())),
    )


def _audit_blocks(
    loaded: _Loaded, audit_ids: list[int], departments: dict[int, Department]
) -> list[AuditBlock]:
    audits = (
        Audit.objects.filter(pk__in=audit_ids)
        .prefetch_related(
            "kinds",
            "sections",
            "finding_kinds",
            "key_risks",
            Prefetch("viewpoints", queryset=Viewpoint.objects.select_related("key_risk")),
            Prefetch("audited_departments", queryset=Department.objects.select_related("parent")),
            "systems",
        )
        .order_by("-fiscal_year", "period_start", "id")
    )
    with_kids_shown = {f.parent_id for f in loaded.findings if f.parent_id is not None}
    by_audit: dict[int, list[PlainFinding]] = defaultdict(list)
    for finding in loaded.findings:
        if finding.has_sub_items and finding.pk not in with_kids_shown:
            continue  # a parent whose sub-items are all outside the selection
        by_audit[finding.audit_id].append(finding)

    shared = _Shared(departments)
    blocks = []
    for audit in audits:
        sections = sorted(audit.sections.all(), key=lambda s: (s.sort_order, s.pk))
        audited = [departments.get(d.pk, d) for d in audit.audited_departments.all()]
        addressed = len(audited) > 1
        viewpoints = list(audit.viewpoints.all())
        by_id = {v.pk: v for v in viewpoints}
        tree = outline(audit.finding_kinds.all(), sections, by_audit.get(audit.pk, []))
        kind_blocks = []
        for kind_node in tree:
            section_blocks = []
            for block in kind_node.sections:
                rows = [
                    _row(node, loaded, audit, by_id, addressed, shared) for node in block.walk()
                ]
                section_blocks.append(SectionBlock(block.number, block.title, rows))
            kind = kind_node.kind
            kind_blocks.append(KindBlock(kind.code, kind.name, kind.report_heading, section_blocks))
        names = "、".join(d.full_name for d in audited)
        systems = "、".join(s.name for s in audit.systems.all())
        blocks.append(
            AuditBlock(
                audit_id=audit.pk,
                fiscal_year=audit.fiscal_year,
                fiscal_year_label=format_fiscal_year(audit.fiscal_year),
                kind_name=audit.kinds_label,
                theme=audit.theme,
                targets=f"{names}（{systems}）" if systems else names,
                period_text=format_period(
                    audit.period_start, audit.period_end, audit.period_precision
                ),
                report_number=audit.report_number,
                report_date=audit.report_date,
                report_date_text=audit.report_date_text,
                signers=tuple(audit.signer_lines),
                notice_date=audit.notice_date,
                kinds=kind_blocks,
                key_risks=key_risk_table(
                    list(audit.key_risks.all()), viewpoints, tree, loaded.extra_viewpoints
                ),
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


@dataclass(frozen=True)
class _Context:
    """What every part of one report shares: status names, and departments as named on
    the report's naming date."""

    statuses: list[StatusSnapshot]
    departments: dict[int, Department]
    day: datetime.date

    @classmethod
    def of(cls, selection: Selection) -> _Context:
        statuses = [
            StatusSnapshot(name, None, is_closed, pk, code)
            for pk, name, is_closed, code in RemediationStatus.objects.order_by(
                "sort_order", "id"
            ).values_list("pk", "name", "is_closed", "code")
        ]
        fiscal_year = selection.fiscal_year
        if fiscal_year is None and selection.audit_id is not None and selection.as_of is None:
            fiscal_year = (
                Audit.objects.filter(pk=selection.audit_id)
                .values_list("fiscal_year", flat=True)
                .first()
            )
        # Names as they were then: a report of 令和2年度 prints the names of that year.
        day = naming_date(selection.as_of, fiscal_year)
        return cls(statuses, departments_as_of(day), day)

    def load(
        self, user: AnyUser, selection: Selection, findings: FindingQuerySet | None
    ) -> _Loaded:
        return _load_findings(
            user,
            selection,
            findings,
            statuses={s.status_id: s for s in self.statuses if s.status_id is not None},
            departments=self.departments,
            day=self.day,
        )


def _report(
    selection: Selection, context: _Context, audits: list[AuditBlock], summary: Summary
) -> Report:
    department = (
        context.departments.get(selection.department_id) if selection.department_id else None
    )
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
        summary=summary,
    )


def build_report(
    user: AnyUser, selection: Selection, findings: FindingQuerySet | None = None
) -> Report:
    """The report of `selection`, narrowed to `findings` when given (e.g. the finding
    list's current filters), always within what `user` may see."""
    context = _Context.of(selection)
    loaded = context.load(user, selection, findings)
    audit_ids = sorted({f.audit_id for f in loaded.findings})
    if selection.audit_id is not None and selection.audit_id not in audit_ids:
        # A per-audit report prints the audit even when nothing is selected (特になし).
        from audits.access import visible_audits

        if visible_audits(user).filter(pk=selection.audit_id).exists():
            audit_ids.append(selection.audit_id)
    audits = _audit_blocks(loaded, audit_ids, context.departments)
    summary = _summary(audits, [status.name for status in context.statuses])
    return _report(selection, context, audits, summary)


def count_selected(
    user: AnyUser, selection: Selection, findings: FindingQuerySet | None = None
) -> int:
    """How many findings the report of `selection` counts (Report.finding_count,
    without building it): one COUNT, leaving out parents that only hold sub-items."""
    selected = _selected(user, selection, findings, with_status=False)
    return selected.filter(~Exists(Finding.objects.filter(parent=OuterRef("pk")))).count()


# Findings per part of a streamed report: a few megabytes of rows at a time.
STREAM_BATCH = 2000

# The audits of a part and, when one large audit is read in several parts, the
# findings of the families (a finding and its sub-items) of this part.
_Part = tuple[list[int], list[int] | None]


@dataclass
class ReportStream:
    """A report read in parts, for the formats that write row by row (CSV): memory
    stays flat however many findings are selected.

    `head` is the Report with its title, label and audits' headings but no rows and an
    empty summary; `parts()` yields audits with their rows, in the order build_report
    prints them: a few audits a part, or a run of families of one large audit. Rows
    come out as in the whole report; the headings and summaries of a part (viewpoint
    runs, key-risk tables) cover that part only, which a row-by-row format never prints."""

    head: Report
    has_rows: bool  # at least one finding that is counted (not only a parent of sub-items)
    _user: AnyUser
    _findings: FindingQuerySet | None
    _context: _Context
    _parts: list[_Part]

    @property
    def has_audits(self) -> bool:
        return bool(self._parts or self.head.audits)

    def parts(self) -> Iterator[list[AuditBlock]]:
        selection = self.head.selection
        for audit_ids, ids in self._parts:
            base = self._findings if self._findings is not None else Finding.objects.all()
            base = base.filter(audit_id__in=audit_ids)
            if ids is not None:
                base = base.filter(_id_in("pk", ids))
            loaded = self._context.load(self._user, selection, base)
            yield _audit_blocks(loaded, audit_ids, self._context.departments)


def _families_in_print_order(
    audit_id: int, selected: FindingQuerySet
) -> list[tuple[int, list[int]]]:
    """(family id, ids of the selected findings in it) for one audit's selected findings, in the order
    findings.outline prints them: kinds the audit reports by (sort_order, pk), then any
    other kind; sections by (sort_order, pk), findings outside a section last; in a
    block, top-level findings by (sort_order, pk). A family is a top-level finding and
    its sub-items, under the parent's id, so a sub-item shown without its parent stays
    where outline puts it."""
    audit = Audit.objects.get(pk=audit_id)
    reported = sorted(audit.finding_kinds.all(), key=lambda k: (k.sort_order, k.pk))
    sections = sorted(audit.sections.all(), key=lambda s: (s.sort_order, s.pk))
    section_rank = {s.pk: i for i, s in enumerate(sections)}
    rows = selected.filter(audit_id=audit_id).values_list(
        "pk",
        "parent_id",
        "kind_id",
        "kind__sort_order",
        "section_id",
        "sort_order",
        "parent__kind_id",
        "parent__kind__sort_order",
        "parent__section_id",
        "parent__sort_order",
    )
    kind_rank = {k.pk: (0, i, 0) for i, k in enumerate(reported)}
    keys: dict[int, tuple[object, ...]] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for (
        pk,
        parent,
        kind,
        kind_order,
        section,
        order,
        p_kind,
        p_kind_order,
        p_section,
        p_order,
    ) in rows.order_by().distinct():
        if parent is not None and p_kind is not None:
            kind, kind_order, section, order, family = (
                p_kind,
                p_kind_order,
                p_section,
                p_order,
                parent,
            )
        else:
            family = pk
        members[family].append(pk)
        rank = kind_rank.get(kind, (1, kind_order, kind))
        place = section_rank.get(section, len(sections)) if section is not None else len(sections)
        keys[family] = (rank, place, order, family)
    return [(family, members[family]) for family in sorted(keys, key=keys.__getitem__)]


def stream_report(
    user: AnyUser,
    selection: Selection,
    findings: FindingQuerySet | None = None,
    batch: int = STREAM_BATCH,
) -> ReportStream:
    """build_report's report without loading it all: one query counts the selected
    findings per audit; audits are grouped into parts of about `batch` findings, and an
    audit larger than that is cut between families."""
    context = _Context.of(selection)
    selected = _selected(user, selection, findings, with_status=False)
    counts = dict(
        Finding.objects.filter(pk__in=selected.values("pk"))
        .order_by()
        .values_list("audit_id")
        .annotate(n=Count("id"))
        .values_list("audit_id", "n")
    )
    # The print order of _audit_blocks.
    ordered = list(
        Audit.objects.filter(pk__in=list(counts))
        .order_by("-fiscal_year", "period_start", "id")
        .values_list("pk", flat=True)
    )
    parts: list[_Part] = []
    size = batch
    for pk in ordered:
        if counts[pk] > batch:
            # The part names its findings, not its families: one list of ids to look up
            # by primary key, where "id in … or parent in …" read the whole audit.
            ids: list[int] = []
            for _, family in _families_in_print_order(pk, selected):
                if ids and len(ids) + len(family) > batch:
                    parts.append(([pk], ids))
                    ids = []
                ids += family
            parts.append(([pk], ids))
            size = batch
            continue
        if size >= batch:
            parts.append(([], None))
            size = 0
        parts[-1][0].append(pk)
        size += counts[pk]
    heading_ids = ordered[:1] if selection.audit_id is not None else []
    if selection.audit_id is not None and not ordered:
        from audits.access import visible_audits

        if visible_audits(user).filter(pk=selection.audit_id).exists():
            heading_ids = [selection.audit_id]
    headings = _audit_blocks(_Loaded([], {}, {}, {}), heading_ids, context.departments)
    empty = Summary([], [], [])
    return ReportStream(
        head=_report(selection, context, headings, empty),
        has_rows=selected.filter(~Exists(Finding.objects.filter(parent=OuterRef("pk")))).exists(),
        _user=user,
        _findings=findings,
        _context=context,
        _parts=parts,
    )
