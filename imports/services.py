"""Importing checked rows (imports.reader) in one transaction, through the services
that the app's own pages use: create_audit, add_section, add_key_risk, add_viewpoint,
add_finding, record_entry and review_entry (an imported entry is published history,
so it is accepted at once by the importing auditor).

Audits are matched by (年度, 監査の種類, 監査のテーマ), findings by (audit, 区分, 節,
番号), entries by (finding, 措置日, 状況, 措置内容): what is already there is skipped, so
importing the same file twice creates nothing new. A dry run does the same work and
rolls it back, so the preview reports exactly what the import would do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audits.models import (
    DEFAULT_ADDRESSEE_FORMAT,
    Audit,
    AuditKind,
    KeyRisk,
    Section,
    User,
    Viewpoint,
    ViewpointNumbering,
)
from audits.services import add_key_risk, add_section, add_viewpoint, create_audit
from findings.models import Finding
from findings.services import add_finding
from imports.reader import ImportRow
from remediation.models import RemediationEntry, ReviewDecision
from remediation.services import record_entry, review_entry

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


class _AuditImport:
    """One audit's rows: the audit, its structure and findings, found or created."""

    def __init__(self, rows: list[ImportRow], user: User, result: ImportResult) -> None:
        self.rows, self.user, self.result = rows, user, result
        self.audit: Audit | None = None
        self.sections: dict[str, Section] = {}
        self.risks: dict[str, KeyRisk] = {}
        self.viewpoints: dict[tuple[str, str], Viewpoint] = {}
        self.findings: dict[tuple[int, str, str], Finding] = {}
        self.entries: set[tuple[int, Any, int, str]] = set()
        self.next_order: dict[tuple[int, str, int | None], int] = defaultdict(int)
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
            section = finding.section.number if finding.section else ""
            self.findings[(finding.kind_id, section, finding.label_path)] = finding
            key = (finding.kind_id, section, finding.parent_id)
            self.next_order[key] = max(self.next_order[key], finding.sort_order + 1)
        for entry in RemediationEntry.objects.filter(finding__audit=audit):
            self.entries.add((entry.finding_id, entry.entry_date, entry.status_id, entry.content))

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
                section = add_section(self.audit, number=number, title=title, user=self.user)
                self.sections[number] = section
        risk = None
        if row.key_risk is not None:
            number, title = row.key_risk
            risk = self.risks.get(number)
            if risk is None:
                risk = add_key_risk(self.audit, number=number, title=title, user=self.user)
                self.risks[number] = risk
        viewpoint = None
        number = row.values["着眼点番号"]
        if number:
            key = (risk.number if risk else "", number)
            viewpoint = self.viewpoints.get(key)
            if viewpoint is None:
                viewpoint = add_viewpoint(
                    self.audit,
                    number=number,
                    text=row.values["着眼点"],
                    user=self.user,
                    key_risk=risk,
                )
                self.viewpoints[key] = viewpoint
        return section, viewpoint

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
                with transaction.atomic():
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
                if viewpoint is not None and viewpoint.key_risk_id is None:
                    label = path.removeprefix(viewpoint.number)
            order_key = (row.kind.pk, section_number, parent.pk if parent else None)
            finding = add_finding(
                self.audit,
                kind=row.kind,
                section=section,
                viewpoint=viewpoint if parent is None else None,
                parent=parent,
                label=label,
                title=row.values["件名"],
                body=row.values["本文"].strip(),
                departments=row.departments,
                subclass=row.subclass,
                extra_viewpoints=self.extra_viewpoints(row),
                user=self.user,
                sort_order=self.next_order[order_key],
            )
            self.next_order[order_key] += 1
            self.findings[key] = finding
            self.created.add(key)
            self.result.created["指摘事項"] += 1
            created = True
        if parent is None and row.is_container:
            containers[group] = (path, finding)
        elif parent is None:
            containers.pop(group, None)
        if row.status is not None and row.entry_date is not None:
            content = row.values["措置内容"].strip()
            entry_key = (finding.pk, row.entry_date, row.status.pk, content)
            if entry_key not in self.entries:
                entry = record_entry(
                    finding,
                    status=row.status,
                    entry_date=row.entry_date,
                    content=content,
                    user=self.user,
                )
                review_entry(entry, decision=ReviewDecision.ACCEPTED, user=self.user)
                self.entries.add(entry_key)
                self.result.created["措置"] += 1
                created = True
        return created


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
            for audit_rows in by_audit.values():
                _AuditImport(audit_rows, user, result).run()
            if dry_run or not result.ok:
                raise _Rollback
            result.written = True
    except _Rollback:
        pass
    for row in rows:
        if row.errors:
            result.outcomes[row.line] = ERROR
    return result
