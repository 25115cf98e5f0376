"""The audit report (監査報告書 / 概要版) of one audit, in the shape of seed 001: one
structure of numbered parts that the HTML page and the PDF both render
(templates/reports/_audit_summary_body.html) and nothing else.

1 監査目的, 2 監査テーマ, 3 監査範囲, 4 監査方法, 5 監査実施日程, 6 監査実施体制,
7 監査項目, 8 適用基準等, 9 監査結果 ((1) 総評, (2) 推奨する点, then one sub-part per
finding class with findings): a part the audit leaves empty is left out and the parts
after it are numbered on, as the published reports do.

Everything is loaded in a fixed number of queries, whatever the number of items.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from audits.models import Audit, AuditedSystem, Department, KeyRisk, Viewpoint, text_lines
from audits.wareki import format_wareki
from findings.access import visible_findings
from findings.models import Finding
from findings.outline import outline
from organisation.naming import names_as_of, naming_date

if TYPE_CHECKING:
    from audits.access import AnyUser

# The labels of items within a part: ア, イ, ウ … (the gojūon order official documents use).
KANA_LABELS = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
)
# Printed in the first column of the 監査項目 table, as seed 001 does.
ITEMS_ROW_HEADING = "監査項目"
AUDITORS_HEADING = "(監査人)"
REPORT_TITLE_SUFFIX = "報告書"


def kana_label(index: int) -> str:
    """ア for 0, イ for 1 … and, past ワ, (45), (46) … so a long list never repeats a label."""
    return KANA_LABELS[index] if index < len(KANA_LABELS) else f"({index + 1})"


def number_label(index: int) -> str:
    """(1) for 0, (2) for 1 …"""
    return f"({index + 1})"


@dataclass(frozen=True)
class Item:
    """One labelled entry of a part: "(1) 関係規程…", "ア 荒川区…", or a 総評 part with its
    own heading ("ア 全体" followed by paragraphs)."""

    label: str  # "ア", "(1)", "" when the entry stands alone
    heading: str  # "全体" for a 総評 part; "" for a plain entry
    paragraphs: tuple[str, ...]
    depth: int = 0  # 1 for a finding's sub-item

    @property
    def label_width(self) -> str:
        """ "short" for a one-character label (ア), so the text hangs just past it."""
        return "short" if len(self.label) <= 1 else "long"

    @property
    def heading_line(self) -> str:
        return " ".join(part for part in (self.label, self.heading) if part)


@dataclass(frozen=True)
class ScopeRow:
    """監査範囲: one audited system. The 課 is printed once per run of its systems."""

    number: int
    department: str
    system: str
    department_rows: int  # rows the 課 cell spans; 0 on the rows it already covers


@dataclass(frozen=True)
class ScheduleRow:
    date: datetime.date
    category: str
    content: str

    @property
    def date_text(self) -> str:
        """ "平成28年9月20日", unpadded as the seed's schedule prints it."""
        return format_wareki(self.date)


@dataclass(frozen=True)
class ItemCategory:
    """監査項目: a category (a key risk, e.g. 組織的・人的管理) and its items ((1) …)."""

    title: str  # "" for items outside every category
    items: tuple[Item, ...]


@dataclass(frozen=True)
class SubPart:
    """A numbered sub-part, "(1) 適用基準" or "(2) 推奨する点", and its entries."""

    number: str
    title: str
    items: tuple[Item, ...]

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"


@dataclass
class Part:
    """A numbered part of the report. `kind` says which of the fields below it fills, and
    so which block of the template prints it."""

    kind: str  # paragraphs | scope | items | schedule | auditors | categories | subparts
    title: str
    number: str = ""
    caption: str = ""  # "(監査人)" before the names; "監査項目" beside the categories
    paragraphs: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    scope: tuple[ScopeRow, ...] = ()
    scope_has_systems: bool = True
    schedule: tuple[ScheduleRow, ...] = ()
    categories: tuple[ItemCategory, ...] = ()
    subparts: tuple[SubPart, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def category_rows(self) -> int:
        return len(self.categories)


@dataclass
class AuditSummary:
    audit_id: int
    title: str  # "荒川区情報セキュリティ監査報告書(概要版)"
    date_text: str  # "平成29年1月"; "" when the audit has no 報告日
    report_number: str
    signers: tuple[str, ...]
    fiscal_year_label: str
    kinds_label: str
    theme: str
    generated_at: datetime.datetime
    author: str  # who made it: "総務部 ICT戦略課 情報 花子", in the PDF's metadata
    parts: list[Part] = field(default_factory=list)

    @property
    def headings(self) -> list[str]:
        """Every part and sub-part heading in print order (for tests and the PDF outline)."""
        lines = []
        for part in self.parts:
            lines.append(part.heading)
            lines += [sub.heading for sub in part.subparts]
        return lines


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(text_lines(text))


def _line_items(lines: Iterable[str], *, kana: bool) -> tuple[Item, ...]:
    make = kana_label if kana else number_label
    return tuple(Item(make(i), "", (line,)) for i, line in enumerate(lines))


def _numbered(parts: Sequence[Part]) -> list[Part]:
    present = [p for p in parts if _has_content(p)]
    for index, part in enumerate(present, 1):
        part.number = str(index)
    return present


def _has_content(part: Part) -> bool:
    return bool(
        part.paragraphs
        or part.items
        or part.scope
        or part.schedule
        or part.categories
        or part.subparts
    )


def _subparts(pieces: Sequence[tuple[str, tuple[Item, ...]]]) -> tuple[SubPart, ...]:
    present = [(title, items) for title, items in pieces if items]
    return tuple(SubPart(number_label(i), title, items) for i, (title, items) in enumerate(present))


def _scope(audit: Audit, systems: list[AuditedSystem]) -> tuple[tuple[ScopeRow, ...], bool]:
    """Systems under their 課 (a 課 cell spans its run of systems); audited departments
    without any system follow with an empty system cell. Without any system at all the
    table lists the audited departments only."""
    rows: list[tuple[str, str]] = []
    with_systems = set()
    audited = list(audit.audited_departments.all())
    # The names of the audit's time: the report date, else the end of its 年度.
    day = audit.report_date or naming_date(None, audit.fiscal_year)
    names = names_as_of(day, [*audited, *(s.department for s in systems if s.department)])
    for system in systems:
        department = system.department
        rows.append((names[department.pk] if department else "", system.name))
        if department is not None:
            with_systems.add(department.pk)
    for department in audited:
        if department.pk not in with_systems:
            rows.append((names[department.pk], ""))
    result = []
    for index, (name, system_name) in enumerate(rows):
        if index and rows[index - 1][0] == name:
            span = 0
        else:
            span = 1
            while index + span < len(rows) and rows[index + span][0] == name:
                span += 1
        result.append(ScopeRow(index + 1, name, system_name, span))
    return tuple(result), bool(systems)


def _categories(key_risks: list[KeyRisk], viewpoints: list[Viewpoint]) -> tuple[ItemCategory, ...]:
    """監査項目 by category: the audit's key risks with their viewpoints, then any viewpoint
    outside a key risk in a row of its own."""
    by_risk: dict[int | None, list[Viewpoint]] = {}
    for viewpoint in viewpoints:
        by_risk.setdefault(viewpoint.key_risk_id, []).append(viewpoint)

    def items(rows: list[Viewpoint]) -> tuple[Item, ...]:
        return tuple(Item(v.number, "", (v.text,)) for v in rows)

    categories = [ItemCategory(risk.title, items(by_risk.get(risk.pk, []))) for risk in key_risks]
    if by_risk.get(None):
        categories.append(ItemCategory("", items(by_risk[None])))
    return tuple(c for c in categories if c.items)


def _overall(audit: Audit) -> tuple[Item, ...]:
    """総評: each part gets ア, イ … when it has a heading or there are several of them."""
    comments = list(audit.overall_comments.all())
    labelled = len(comments) > 1 or any(c.heading for c in comments)
    return tuple(
        Item(kana_label(i) if labelled else "", c.heading, _paragraphs(c.body))
        for i, c in enumerate(comments)
    )


def _findings(audit: Audit, findings: list[Finding]) -> list[tuple[str, tuple[Item, ...]]]:
    """改善を求める点 and any other class: one sub-part per class with findings, the
    findings in the one print order, each labelled by its own number ("ア", "(3)①")."""
    sections = list(audit.sections.all())
    result = []
    for kind in outline([], sections, findings):
        items = tuple(
            Item(
                node.path,
                node.finding.title,
                _paragraphs(node.finding.body),
                node.depth,
            )
            for _, node in kind.walk()
        )
        if items:
            result.append((kind.kind.name, items))
    return result


def _load(user: AnyUser, audit: Audit) -> list[Finding]:
    """The audit's parts onto `audit` and the findings `user` may see: one query each."""
    prefetch_related_objects(
        [audit],
        "kinds",
        Prefetch("audited_departments", queryset=Department.objects.order_by("sort_order", "code")),
        Prefetch("systems", queryset=AuditedSystem.objects.select_related("department")),
        "schedule",
        "key_risks",
        "viewpoints",
        "overall_comments",
        "commendations",
        "sections",
    )
    return list(
        visible_findings(user, Finding.objects.filter(audit_id=audit.pk))
        .select_related("kind", "viewpoint__key_risk", "parent__viewpoint")
        .in_print_order()
    )


def _author(user: AnyUser) -> str:
    name = getattr(user, "display_name", "") or user.get_username()
    department = getattr(user, "department", None)
    return f"{department.full_name} {name}" if department else name


def build_audit_summary(user: AnyUser, audit: Audit) -> AuditSummary:
    """The report of `audit`, which the caller has fetched for `user` through the access
    helpers; its findings are narrowed to those `user` may see, like every other page."""
    findings = _load(user, audit)
    systems = list(audit.systems.all())
    scope, has_systems = _scope(audit, systems)
    auditors = _paragraphs(audit.auditor_names)
    key_risks = sorted(audit.key_risks.all(), key=lambda r: (r.sort_order, r.pk))
    viewpoints = sorted(audit.viewpoints.all(), key=lambda v: (v.sort_order, v.pk))
    results = [
        ("総評", _overall(audit)),
        ("推奨する点", tuple(
            Item(kana_label(i), "", _paragraphs(c.text))
            for i, c in enumerate(audit.commendations.all())
        )),
        *_findings(audit, findings),
    ]  # fmt: skip
    parts = [
        Part("paragraphs", "監査目的", paragraphs=_paragraphs(audit.purpose)),
        Part("paragraphs", "監査テーマ", paragraphs=_paragraphs(audit.theme)),
        Part("scope", "監査範囲", scope=scope, scope_has_systems=has_systems),
        Part("items", "監査方法", items=_line_items(text_lines(audit.method), kana=False)),
        Part(
            "schedule",
            "監査実施日程",
            schedule=tuple(
                ScheduleRow(s.date, s.category, s.content) for s in audit.schedule.all()
            ),
        ),
        Part("auditors", "監査実施体制", caption=AUDITORS_HEADING, paragraphs=auditors),
        Part(
            "categories",
            "監査項目",
            caption=ITEMS_ROW_HEADING,
            categories=_categories(key_risks, viewpoints),
        ),
        Part(
            "subparts",
            "適用基準等",
            subparts=_subparts(
                [
                    ("適用基準", _line_items(text_lines(audit.standards_applied), kana=True)),
                    ("参考基準", _line_items(text_lines(audit.standards_reference), kana=True)),
                ]
            ),
        ),
        Part("subparts", "監査結果", subparts=_subparts(results)),
    ]
    title = audit.report_title or (
        f"{audit.fiscal_year_label} {audit.kinds_label}{REPORT_TITLE_SUFFIX}"
    )
    return AuditSummary(
        audit_id=audit.pk,
        title=title,
        date_text=audit.report_date_text,
        report_number=audit.report_number,
        signers=tuple(audit.signer_lines),
        fiscal_year_label=audit.fiscal_year_label,
        kinds_label=audit.kinds_label,
        theme=audit.theme,
        generated_at=timezone.localtime(),
        author=_author(user),
        parts=_numbered(parts),
    )
