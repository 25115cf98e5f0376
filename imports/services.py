"""Importing checked rows (imports.reader) in one transaction.

A new audit is made by create_audit, the service the app's own pages use (one call
per audit: it holds the header's rules). A section, key risk or viewpoint added to an
audit already there goes through add_section / add_key_risk / add_viewpoint.

Everything else is many rows (a ten-year file holds tens of thousands): a new audit's
sections, key risks and viewpoints, and every finding, department and viewpoint link,
entry and review. They are the one deliberate exception to "every row through its
service": this module checks each row in memory against the same rules that those
services apply (numbering, structure, class of the audit, sub-items taking no entries,
entry dates, lengths, the right to record and to accept) with the reference data read
up front, and then writes them with bulk_create in batches. It stays the one service
that writes them. Bulk inserts send
no signals, so the audit log gets one explicit line per audit imported ("Excelから
取込み", with what was added) instead of a line per row; the entries and reviews
themselves are the append-only record of who (the importing auditor) recorded and
accepted what. An imported entry is published history, so it is accepted at once.

Audits are matched by (年度, 監査の種類, 監査のテーマ), findings by (audit, 区分, 節,
番号), entries by (finding, 措置日, 状況, 措置内容): what is already there is skipped, so
importing the same file twice creates nothing new. A dry run does the same work and
rolls it back, so the preview reports exactly what the import would do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audits.access import can_review_entries
from audits.models import (
    DEFAULT_ADDRESSEE_FORMAT,
    Audit,
    AuditKind,
    Department,
    KeyRisk,
    Section,
    User,
    Viewpoint,
    ViewpointNumbering,
)
from audits.services import add_key_risk, add_section, add_viewpoint, create_audit
from findings.models import Finding, FindingViewpoint
from findings.search import compose_search_text, refresh_search_text, viewpoint_search_texts
from history.models import record_activity
from imports.reader import ImportRow
from remediation.models import EntryReview, RemediationEntry, ReviewDecision
from remediation.services import EntryNotAllowed, entry_date_error, refresh_current_status_of

BATCH_SIZE = 1000
_Structure = TypeVar("_Structure", Section, KeyRisk, Viewpoint)
# Checked by hand below (each with its own message), or by construction: full_clean
# would otherwise look every foreign key up with a query of its own.
FINDING_UNCHECKED = [
    "audit",
    "kind",
    "section",
    "viewpoint",
    "parent",
    "subclass",
    "created_by",
    "departments",
    "extra_viewpoints",
]
ENTRY_UNCHECKED = ["finding", "status", "author", "author_department"]

NEW = "new"
PRESENT = "present"
ERROR = "error"
OUTCOME_LABELS = {NEW: "取り込む", PRESENT: "登録済み", ERROR: "エラー"}


@dataclass
class ImportResult:
    rows: list[ImportRow]
    outcomes: dict[int, str] = field(default_factory=dict)  # line → NEW/PRESENT/ERROR
    created: dict[str, int] = field(default_factory=lambda: {"監査": 0, "指摘事項": 0, "措置": 0})
    written: bool = False

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ok(self) -> bool:
        return not self.error_rows

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


class _Rollback(Exception):
    pass


def _messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error)]
    return [str(m) for m in error.messages]


class _Batch:
    """What the import will add, held in memory until every row is checked."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.today = timezone.localdate()
        # Whoever may accept entries may record them for any finding (can_post_entry).
        self.may_record = can_review_entries(user)
        self.findings: list[Finding] = []  # parents before their sub-items
        self.departments: list[tuple[Finding, list[Department]]] = []
        self.viewpoint_links: list[FindingViewpoint] = []
        self.entries: list[RemediationEntry] = []
        self.added: dict[int, tuple[Audit, int, int]] = {}  # audit pk → findings, entries
        # The structure of the audits this import creates.
        self.sections: list[Section] = []
        self.risks: list[KeyRisk] = []
        self.viewpoints: list[Viewpoint] = []

    def count(self, audit: Audit, findings: int = 0, entries: int = 0) -> None:
        _, before_findings, before_entries = self.added.get(audit.pk, (audit, 0, 0))
        self.added[audit.pk] = (audit, before_findings + findings, before_entries + entries)

    def _derive_kept_columns(self) -> None:
        """The columns the services keep on a finding, for the new findings, from what is
        in memory: the search text (findings.search) and the current status, that of
        the latest entry (all of them are accepted; RemediationEntry.LATEST_FIRST: the
        latest date, then the one recorded last). An UPDATE of each after the insert
        cost a minute at 10,000 findings on tables not yet analysed."""
        new = {id(f) for f in self.findings}
        entries: dict[int, list[RemediationEntry]] = defaultdict(list)
        for entry in self.entries:
            if id(entry.finding) in new:
                entries[id(entry.finding)].append(entry)
        extra: dict[int, list[str]] = defaultdict(list)
        for link in self.viewpoint_links:
            extra[id(link.finding)].extend(viewpoint_search_texts(link.viewpoint))
        for finding in self.findings:
            own = entries[id(finding)]
            viewpoints = [*viewpoint_search_texts(finding.viewpoint), *extra[id(finding)]]
            finding.search_text = compose_search_text(
                finding.title, finding.body, viewpoints, (e.content for e in own)
            )
            # Later in the list = recorded later: max keeps the last of equal dates.
            latest = max(reversed(own), key=lambda e: e.entry_date, default=None)
            if latest is not None:
                finding.latest_status = latest.status
                finding.latest_status_date = latest.entry_date
                finding.is_closed = latest.status.is_closed

    def write(self) -> None:
        # Each after what it refers to: viewpoints name their key risk.
        Section.objects.bulk_create(self.sections, batch_size=BATCH_SIZE)
        KeyRisk.objects.bulk_create(self.risks, batch_size=BATCH_SIZE)
        Viewpoint.objects.bulk_create(self.viewpoints, batch_size=BATCH_SIZE)
        self._derive_kept_columns()
        top = [f for f in self.findings if f.parent is None]
        sub_items = [f for f in self.findings if f.parent is not None]
        # A sub-item's parent_id is taken from its (now saved) parent by bulk_create.
        Finding.objects.bulk_create(top, batch_size=BATCH_SIZE)
        Finding.objects.bulk_create(sub_items, batch_size=BATCH_SIZE)
        through = Finding.departments.through
        through.objects.bulk_create(
            (
                through(finding_id=finding.pk, department_id=department.pk)
                for finding, departments in self.departments
                for department in departments
            ),
            batch_size=BATCH_SIZE,
        )
        FindingViewpoint.objects.bulk_create(self.viewpoint_links, batch_size=BATCH_SIZE)
        RemediationEntry.objects.bulk_create(self.entries, batch_size=BATCH_SIZE)
        EntryReview.objects.bulk_create(
            (
                EntryReview(entry=entry, decision=ReviewDecision.ACCEPTED, reviewer=self.user)
                for entry in self.entries
            ),
            batch_size=BATCH_SIZE,
        )
        # A finding that was already there and got new entries: its derived columns are
        # read back from the database (new findings got theirs in _derive_kept_columns).
        new = {id(f) for f in self.findings}
        existing = {e.finding_id for e in self.entries if id(e.finding) not in new}
        refresh_search_text(existing)
        refresh_current_status_of(existing)
        for audit, findings, entries in self.added.values():
            record_activity(
                self.user,
                "Excelから取込み",
                audit,
                f"指摘事項 {findings}件、措置 {entries}件（受理済み）を追加",
            )


@dataclass
class _NewFinding:
    finding: Finding
    departments: list[Department]
    extra_viewpoints: list[Viewpoint]


def _ref(finding: Finding) -> tuple[str, int]:
    """A key for a finding, saved or still only in memory."""
    return ("db", finding.pk) if finding.pk is not None else ("new", id(finding))


class _AuditImport:
    """One audit's rows: the audit, its structure and findings, found or planned."""

    def __init__(
        self, rows: list[ImportRow], user: User, result: ImportResult, batch: _Batch
    ) -> None:
        self.rows, self.user, self.result, self.batch = rows, user, result, batch
        self.finding_kind_ids: set[int] = set()
        self.is_new = False  # an audit this import creates: its structure is written in bulk
        self.with_children: set[tuple[str, int]] = set()
        self.audit: Audit | None = None
        self.sections: dict[str, Section] = {}
        self.risks: dict[str, KeyRisk] = {}
        self.viewpoints: dict[tuple[str, str], Viewpoint] = {}
        self.findings: dict[tuple[int, str, str], Finding] = {}
        self.entries: set[tuple[tuple[str, int], Any, int, str]] = set()
        # (区分, 節, parent) → the next sort_order among those siblings
        self.next_order: dict[tuple[int, str, tuple[str, int] | None], int] = defaultdict(int)
        self.departments_of: dict[tuple[str, int], list[Department]] = {}
        self.created: set[tuple[int, str, str]] = set()  # findings made by this import

    def header_conflicts(self) -> None:
        first = self.rows[0]
        for row in self.rows[1:]:
            for name in ("報告番号", "報告日", "監査実施期間"):
                if row.values[name] != first.values[name]:
                    row.errors.append(
                        f"{name}が同じ監査の{first.line}行目と違います（1つの監査では同じにしてください）。"
                    )

    def find_or_create_audit(self) -> None:
        first = self.rows[0]
        year, kinds_label, theme = first.audit_key
        for audit in Audit.objects.filter(fiscal_year=year, theme=theme).prefetch_related("kinds"):
            if audit.kinds_label == kinds_label or [k.pk for k in audit.kind_list] == [
                k.pk for k in first.audit_kinds
            ]:
                self.audit = audit
                self._load_existing(audit)
                return
        departments: dict[int, Any] = {}
        kinds: dict[int, Any] = {}
        for row in self.rows:
            for dept in row.departments:
                departments.setdefault(dept.pk, dept)
            if row.kind is not None:
                kinds.setdefault(row.kind.pk, row.kind)
        start, end, precision = first.period
        risks_of: dict[str, set[str]] = defaultdict(set)
        for row in self.rows:
            if row.values["着眼点番号"] and row.key_risk is not None:
                risks_of[row.values["着眼点番号"]].add(row.key_risk[0])
        numbering = (
            ViewpointNumbering.PER_KEY_RISK
            if any(len(risks) > 1 for risks in risks_of.values())
            else ViewpointNumbering.THROUGH
        )
        self.audit = create_audit(
            kinds=first.audit_kinds,
            audited_departments=list(departments.values()),
            finding_kinds=sorted(kinds.values(), key=lambda k: (k.sort_order, k.pk)),
            auditors=[self.user],
            user=self.user,
            fiscal_year=year,
            theme=theme,
            period_start=start,
            period_end=end,
            period_precision=precision,
            report_number=first.values["報告番号"],
            report_date=first.report_date,
            report_date_precision=first.report_date_precision,
            viewpoint_numbering=numbering,
            addressee_format=_addressee_format(self.rows),
        )
        self.result.created["監査"] += 1
        self.is_new = True

    def _load_existing(self, audit: Audit) -> None:
        self.sections = {s.number: s for s in audit.sections.all()}
        self.risks = {r.number: r for r in audit.key_risks.all()}
        for v in audit.viewpoints.select_related("key_risk"):
            self.viewpoints[(v.key_risk.number if v.key_risk else "", v.number)] = v
        findings = list(
            Finding.objects.filter(audit=audit).select_related(
                "section", "viewpoint", "parent__viewpoint"
            )
        )
        for finding in findings:
            finding.audit = audit  # read by entry_date_error, without a query per finding
            if finding.parent_id is not None:
                self.with_children.add(("db", finding.parent_id))
            section = finding.section.number if finding.section else ""
            self.findings[(finding.kind_id, section, finding.label_path)] = finding
            parent_ref = ("db", finding.parent_id) if finding.parent_id is not None else None
            key = (finding.kind_id, section, parent_ref)
            self.next_order[key] = max(self.next_order[key], finding.sort_order + 1)
        for entry in RemediationEntry.objects.filter(finding__audit=audit):
            self.entries.add(
                (("db", entry.finding_id), entry.entry_date, entry.status_id, entry.content)
            )

    def structure_known(self, row: ImportRow) -> bool:
        """Its section, key risk and viewpoint are found or made already."""
        risk = row.key_risk[0] if row.key_risk else ""
        number = row.values["着眼点番号"]
        return (
            (row.section is None or row.section[0] in self.sections)
            and (not risk or risk in self.risks)
            and (not number or (risk, number) in self.viewpoints)
        )

    def structure(self, row: ImportRow) -> tuple[Section | None, Viewpoint | None]:
        assert self.audit is not None
        section = None
        if row.section is not None:
            number, title = row.section
            section = self.sections.get(number)
            if section is None:
                if self.is_new:
                    section = self._new_structure(
                        Section(
                            audit=self.audit,
                            number=number,
                            title=title,
                            sort_order=len(self.sections),
                        )
                    )
                else:
                    section = add_section(self.audit, number=number, title=title, user=self.user)
                self.sections[number] = section
        risk = None
        if row.key_risk is not None:
            number, title = row.key_risk
            risk = self.risks.get(number)
            if risk is None:
                if self.is_new:
                    risk = self._new_structure(
                        KeyRisk(
                            audit=self.audit,
                            number=number,
                            title=title,
                            sort_order=len(self.risks),
                        )
                    )
                else:
                    risk = add_key_risk(self.audit, number=number, title=title, user=self.user)
                self.risks[number] = risk
        viewpoint = None
        number = row.values["着眼点番号"]
        if number:
            key = (risk.number if risk else "", number)
            viewpoint = self.viewpoints.get(key)
            if viewpoint is None:
                if self.is_new:
                    self._check_viewpoint_number(number, risk)
                    viewpoint = self._new_structure(
                        Viewpoint(
                            audit=self.audit,
                            number=number,
                            text=row.values["着眼点"],
                            key_risk=risk,
                            sort_order=len(self.viewpoints),
                        )
                    )
                else:
                    viewpoint = add_viewpoint(
                        self.audit,
                        number=number,
                        text=row.values["着眼点"],
                        user=self.user,
                        key_risk=risk,
                    )
                self.viewpoints[key] = viewpoint
        return section, viewpoint

    def _new_structure(self, item: _Structure) -> _Structure:
        """A section, key risk or viewpoint of an audit this import creates, checked as
        add_section, add_key_risk and add_viewpoint check it; written with the findings.
        Its number is unique by construction (the dictionaries are keyed by it)."""
        item.full_clean(
            exclude=["audit", "key_risk"], validate_unique=False, validate_constraints=False
        )
        if isinstance(item, Section):
            self.batch.sections.append(item)
        elif isinstance(item, KeyRisk):
            self.batch.risks.append(item)
        else:
            self.batch.viewpoints.append(item)
        return item

    def _check_viewpoint_number(self, number: str, risk: KeyRisk | None) -> None:
        """audits.services._check_viewpoint_number, on the viewpoints made so far."""
        assert self.audit is not None
        per_risk = self.audit.viewpoint_numbering == ViewpointNumbering.PER_KEY_RISK
        for (risk_number, other_number), other in self.viewpoints.items():
            if other_number != number:
                continue
            if (per_risk or risk is None) and other.key_risk is not risk:
                continue
            where = f"重要リスク「{risk_number}」" if per_risk and risk else "この監査"
            raise ValidationError({"number": f"番号「{number}」の着眼点は{where}に既にあります。"})

    def extra_viewpoints(self, row: ImportRow) -> list[Viewpoint]:
        """ほかに答える着眼点: "(2) イ" (key risk and viewpoint) or "(3)", joined with 、."""
        found = []
        for ref in [r.strip() for r in row.values["ほかに答える着眼点"].split("、") if r.strip()]:
            risk, _, number = ref.rpartition(" ")
            viewpoint = self.viewpoints.get((risk, number))
            if viewpoint is None:
                # Its text is in no column: the link is left out, and the row says so.
                row.notes.append(
                    f"ほかに答える着眼点「{ref}」は着眼点番号の列に無いため、結び付けていません。"
                )
                continue
            found.append(viewpoint)
        return found

    def run(self) -> None:
        self.header_conflicts()
        if any(row.errors for row in self.rows):
            return
        self.find_or_create_audit()
        assert self.audit is not None
        self.finding_kind_ids = set(self.audit.finding_kinds.values_list("pk", flat=True))
        for row in self.rows:
            if self.structure_known(row):
                continue
            try:
                with transaction.atomic():
                    self.structure(row)
            except ValidationError as error:
                row.errors.extend(_messages(error))
        if any(row.errors for row in self.rows):
            return
        containers: dict[tuple[int, str], tuple[str, Finding]] = {}
        seen: dict[tuple[int, str, str], ImportRow] = {}
        for row in self.rows:
            assert row.kind is not None
            path = row.values["番号"]
            section_number = row.section[0] if row.section else ""
            key = (row.kind.pk, section_number, path)
            before = seen.get(key)
            if before is not None and _finding_values(before) != _finding_values(row):
                row.errors.append(
                    f"番号「{path}」は同じ監査・区分・節の{before.line}行目と内容が違います"
                    "（番号の重複）。"
                )
                continue
            seen.setdefault(key, row)
            try:
                # Every section, key risk and viewpoint exists by now: nothing is written
                # here, so no savepoint is needed around a row.
                created = self._row(row, key, containers, section_number)
            except (ValidationError, PermissionDenied) as error:
                row.errors.extend(_messages(error))
                continue
            self.result.outcomes[row.line] = NEW if created else PRESENT

    def _row(
        self,
        row: ImportRow,
        key: tuple[int, str, str],
        containers: dict[tuple[int, str], tuple[str, Finding]],
        section_number: str,
    ) -> bool:
        assert self.audit is not None and row.kind is not None
        created = False
        new_finding: _NewFinding | None = None
        order_key: tuple[int, str, tuple[str, int] | None] = (row.kind.pk, section_number, None)
        finding = self.findings.get(key)
        path = key[2]
        group = (row.kind.pk, section_number)
        parent_info = containers.get(group)
        parent = None
        if parent_info is not None and path.startswith(parent_info[0]) and path != parent_info[0]:
            parent = parent_info[1]
        if (
            finding is not None
            and key not in self.created
            and (
                finding.title != row.values["件名"]
                or finding.body.strip() != row.values["本文"].strip()
            )
        ):
            raise ValidationError(
                f"番号「{path}」の指摘事項は登録済みで、件名・本文が違います"
                "（別の指摘事項に措置を付けないよう、番号か内容を確かめてください）。"
            )
        if finding is None:
            section, viewpoint = self.structure(row)
            if parent is not None:
                label = path[len(parent_info[0]) :] if parent_info else path
            else:
                label = path
                if viewpoint is not None and viewpoint.key_risk is None:
                    label = path.removeprefix(viewpoint.number)
            order_key = (row.kind.pk, section_number, _ref(parent) if parent else None)
            new_finding = self._new_finding(
                row,
                section=section,
                viewpoint=viewpoint if parent is None else None,
                parent=parent,
                label=label,
                sort_order=self.next_order[order_key],
            )
            finding = new_finding.finding
        entry, entry_key = None, None
        if row.status is not None and row.entry_date is not None:
            content = row.values["措置内容"].strip()
            entry_key = (_ref(finding), row.entry_date, row.status.pk, content)
            if entry_key not in self.entries:
                entry = self._new_entry(row, finding, content)
        # Every check passed: the row's finding and entry are kept (a row is all or nothing,
        # as each row's savepoint made it when the services wrote row by row).
        if new_finding is not None:
            self._keep(new_finding)
            self.next_order[order_key] += 1
            self.findings[key] = finding
            self.created.add(key)
            self.result.created["指摘事項"] += 1
            self.batch.count(self.audit, findings=1)
            created = True
        if parent is None and row.is_container:
            containers[group] = (path, finding)
        elif parent is None:
            containers.pop(group, None)
        if entry is not None and entry_key is not None:
            self.batch.entries.append(entry)
            self.entries.add(entry_key)
            self.result.created["措置"] += 1
            self.batch.count(self.audit, entries=1)
            created = True
        return created

    def _keep(self, new: _NewFinding) -> None:
        finding = new.finding
        if finding.parent is not None:
            self.with_children.add(_ref(finding.parent))
        self.departments_of[_ref(finding)] = new.departments
        self.batch.findings.append(finding)
        self.batch.departments.append((finding, new.departments))
        self.batch.viewpoint_links.extend(
            FindingViewpoint(finding=finding, viewpoint=v, position=position)
            for position, v in enumerate(new.extra_viewpoints)
        )

    def _new_finding(
        self,
        row: ImportRow,
        *,
        section: Section | None,
        viewpoint: Viewpoint | None,
        parent: Finding | None,
        label: str,
        sort_order: int,
    ) -> _NewFinding:
        """add_finding's checks and defaults, in memory: nothing is kept yet."""
        assert self.audit is not None and row.kind is not None
        departments = list(row.departments)
        if parent is not None:
            if not departments:
                departments = self.departments_of.get(_ref(parent)) or list(
                    parent.departments.all()
                )
            if viewpoint is None:
                viewpoint = parent.viewpoint
        extra = self.extra_viewpoints(row)
        errors: dict[str, str] = {}
        if row.kind.pk not in self.finding_kind_ids:
            errors["kind"] = "この監査の報告に載せる区分を選んでください。"
        if row.subclass is not None and row.subclass.kind_id != row.kind.pk:
            errors["subclass"] = (
                f"細区分「{row.subclass.name}」は区分「{row.kind.name}」にはありません。"
            )
        if extra:
            if viewpoint is None:
                errors["extra_viewpoints"] = (
                    "ほかの着眼点を選ぶときは、先に主な着眼点を選んでください。"
                )
            elif viewpoint in extra:
                errors["extra_viewpoints"] = "主な着眼点と同じ着眼点は選べません。"
            elif parent is not None:
                errors["extra_viewpoints"] = (
                    "小項目は親項目の着眼点に載るため、ほかの着眼点は選べません。"
                )
        if parent is not None and parent.parent is not None:
            errors["parent"] = "小項目（ア、イ …）の下にさらに小項目は作れません。"
        if not departments:
            errors["departments"] = "担当所属を1つ以上選んでください。"
        if errors:
            raise ValidationError(errors)
        finding = Finding(
            audit=self.audit,
            kind=row.kind,
            section=section,
            viewpoint=viewpoint,
            parent=parent,
            label=label,
            title=row.values["件名"],
            body=row.values["本文"].strip(),
            subclass=row.subclass,
            sort_order=sort_order,
            created_by=self.user,
        )
        finding.full_clean(
            exclude=FINDING_UNCHECKED, validate_unique=False, validate_constraints=False
        )
        return _NewFinding(finding, departments, extra)

    def _new_entry(self, row: ImportRow, finding: Finding, content: str) -> RemediationEntry:
        """record_entry's and review_entry's checks, in memory: nothing is kept yet."""
        assert row.status is not None and row.entry_date is not None
        if not self.batch.may_record:
            raise PermissionDenied("この指摘事項に措置を記録する権限がありません。")
        if _ref(finding) in self.with_children:
            raise EntryNotAllowed(
                "この項目は小項目（ア、イ …）ごとに措置を記録します。小項目を選んでください。"
            )
        errors: dict[str, str] = {}
        date_error = entry_date_error(finding, row.entry_date, self.batch.today)
        if date_error:
            errors["entry_date"] = date_error
        if not content:
            errors["content"] = "措置の内容を入力してください。"
        if errors:
            raise ValidationError(errors)
        entry = RemediationEntry(
            finding=finding,
            status=row.status,
            entry_date=row.entry_date,
            content=content,
            author=self.user,
            author_department_id=self.user.department_id,
        )
        entry.full_clean(exclude=ENTRY_UNCHECKED, validate_unique=False, validate_constraints=False)
        return entry


def _addressee_format(rows: list[ImportRow]) -> str:
    """The audit's あて先 format, read back from a row addressed to one 課: its あて先
    with the department's names put back as {所属}, or {部局} and {課}."""
    for row in rows:
        text = row.values["あて先"]
        if not text or len(row.departments) != 1 or row.departments[0].parent is None:
            continue
        dept = row.departments[0]
        assert dept.parent is not None
        if dept.full_name in text:
            return text.replace(dept.full_name, "{所属}")
        if dept.parent.name in text and dept.name in text:
            return text.replace(dept.parent.name, "{部局}", 1).replace(dept.name, "{課}", 1)
    return DEFAULT_ADDRESSEE_FORMAT


def _finding_values(row: ImportRow) -> tuple[object, ...]:
    v = row.values
    return (v["件名"], v["本文"].strip(), v["担当所属"], v["着眼点番号"], v["細区分"])


def run_import(rows: list[ImportRow], user: User, *, dry_run: bool) -> ImportResult:
    """Import `rows` (all or nothing). With dry_run, or when any row has an error,
    everything is rolled back and the result tells what would have happened."""
    result = ImportResult(rows)
    by_audit: dict[tuple[int, str, str], list[ImportRow]] = defaultdict(list)
    for row in rows:
        if not row.errors:
            by_audit[row.audit_key].append(row)
    try:
        with transaction.atomic():
            # Two imports at once queue here (the 監査の種類 rows of their audits locked,
            # in one order), so the second finds what the first made instead of
            # creating it again.
            kind_ids = sorted({k.pk for row in rows for k in row.audit_kinds})
            list(AuditKind.objects.select_for_update().filter(pk__in=kind_ids).order_by("pk"))
            batch = _Batch(user)
            for audit_rows in by_audit.values():
                _AuditImport(audit_rows, user, result, batch).run()
            if not result.ok:
                raise _Rollback
            # Written in dry runs too (then rolled back): the database's own checks then
            # speak in the preview, not first in the import.
            batch.write()
            if dry_run:
                raise _Rollback
            result.written = True
    except _Rollback:
        pass
    for row in rows:
        if row.errors:
            result.outcomes[row.line] = ERROR
    return result
