"""python manage.py export_report --audit 1 --format pdf -o 措置状況.pdf
python manage.py export_report --audit 1 --report summary -o 監査報告書.pdf
python manage.py export_report --incidents 平成26 --format pdf -o セキュリティ障害.pdf

Thin: the arguments become the same GET-style data the download view reads, go
through the same ReportSelectionForm, and the same renderers write the file. The
report is built as a real user (--user, default: the first active administrator, else
auditor), so the command sees exactly what that person would download.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from audits.access import get_audit_for_user
from audits.models import User, departments_matching
from audits.roles import Role, role_of
from config.commandline import (
    atomic_output,
    checked_output_path,
    parse_fiscal_year_argument,
    write_atomically,
)
from reports.forms import ReportSelectionForm
from reports.render import FORMATS, REPORT_TYPES, SUMMARY_FORMATS
from reports.summary import build_audit_summary

if TYPE_CHECKING:
    from reports.builder import AuditBlock

# The options that choose findings for the 措置状況; the audit report takes none of them.
SELECTION_OPTIONS = {
    "fiscal_year": "--fiscal-year",
    "department": "--department",
    "open_only": "--open-only",
    "as_of": "--as-of",
}


def default_user() -> User | None:
    for role in (Role.ADMINISTRATOR, Role.AUDITOR):
        user = User.objects.filter(is_active=True, groups__name=role.value).order_by("id").first()
        if user is not None:
            return user
    return None


class Command(BaseCommand):
    help = (
        "措置状況報告を PDF / Excel / CSV で、監査報告書（概要版）を PDF で出力します"
        " (export the 措置状況 report, or with --report summary the audit report)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--report",
            default="sochi",
            help="sochi: 措置状況報告 (default) | summary: 監査報告書（概要版）、--audit が必要",
        )
        parser.add_argument("--audit", help="監査の ID (audit id)")
        parser.add_argument(
            "--incidents",
            metavar="年度",
            help="セキュリティ障害の一覧をこの年度で出力: 2014、平成26、H26"
            " (the incident register of this fiscal year)",
        )
        parser.add_argument(
            "--through",
            metavar="年度",
            help="--incidents と共に: この年度までをまとめて出力 (with --incidents: up to this"
            " fiscal year)",
        )
        parser.add_argument(
            "--round",
            help="自己点検・調査の結果: 点検・調査の ID または名称 (inspection round id or name)",
        )
        parser.add_argument("--fiscal-year", help="年度: 2020 または 令和2年度 (fiscal year)")
        parser.add_argument(
            "--department",
            help="担当所属: ID、所属コード、または名称（「ICT戦略課」「総務部 ICT戦略課」）"
            " (department id, code or name)",
        )
        parser.add_argument(
            "--open-only", action="store_true", help="未措置のみ (only findings not yet 措置済)"
        )
        parser.add_argument(
            "--as-of", help="基準日: 2021-09-30 または 令和3年9月30日 (status as of this date)"
        )
        parser.add_argument(
            "--basis",
            default="accepted",
            help="accepted = 公表版（受理済みの報告のみ、既定） | submitted = 作業版（審査待ちを含む）",
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            default="pdf",
            help="pdf | xlsx | csv | table (the import layout) (default: pdf)",
        )
        parser.add_argument("-o", "--output", required=True, help="出力先ファイル (output file)")
        parser.add_argument(
            "--user",
            help="この利用者の権限で出力 (build as this user; default: first active 管理者, "
            "else 監査担当)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("incidents") is not None and options.get("round"):
            raise CommandError(
                "--incidents と --round は同時に使えません。 (use --incidents or --round, not both)"
            )
        if options.get("incidents") is not None:
            self._export_incidents(options)
            return
        if options.get("through"):
            raise CommandError(
                "--through は --incidents と共に使います。 (--through needs --incidents)"
            )
        if options.get("round"):
            self._export_round(options)
            return
        report_type = REPORT_TYPES.get(str(options["report"]).lower())
        if report_type is None:
            codes = " / ".join(REPORT_TYPES)
            raise CommandError(
                f"報告書の種類 {options['report']!r} には対応していません。{codes} から選んでください。"
                f" (unknown report {options['report']!r}; use {codes.replace(' / ', ' or ')})"
            )
        if report_type.code == "summary":
            self._export_summary(options)
            return
        export = FORMATS.get(str(options["fmt"]).lower())
        if export is None:
            raise CommandError(
                f"形式 {options['fmt']!r} には対応していません。pdf / xlsx / csv から選んでください。"
                f" (unknown format {options['fmt']!r}; use pdf, xlsx or csv)"
            )
        target = checked_output_path(options["output"])
        user = self._user(options.get("user"))

        data = {
            "audit": options.get("audit") or "",
            "fiscal_year": options.get("fiscal_year") or "",
            "department": self._department(options.get("department")),
            "open_only": "1" if options.get("open_only") else "",
            "as_of": options.get("as_of") or "",
            "basis": options.get("basis") or "",
        }
        form = ReportSelectionForm(data, user=user)
        if not form.is_valid():
            raise CommandError(self._errors(form))
        if export.code == "csv":
            self._export_csv(form, target)
            return
        try:
            report = form.build()
        except ValueError as error:
            # A value the form let through but the report cannot show (e.g. a date
            # before 大正 that has no 和暦): a message, not a traceback.
            raise CommandError(f"条件が正しくありません (invalid arguments): {error}") from None
        if not report.audits:
            raise CommandError(
                "条件に合う監査・指摘事項がありません。(nothing to report for this selection)"
            )

        try:
            if export.code == "pdf":
                from reports.pdf import render_pdf

                content = render_pdf(report, author=user.display_name or user.get_username())
            else:
                content = export.render(report)
        except ValueError as error:
            raise CommandError(f"出力できませんでした (cannot render): {error}") from None
        write_atomically(target, content)
        self.stdout.write(
            f"{target} に出力しました（{report.finding_count} 件, {len(content):,} バイト）。"
            f" (wrote {target})"
        )

    def _export_csv(self, form: ReportSelectionForm, target: Path) -> None:
        """Written part by part (reports.builder.ReportStream), as the download is: a
        fiscal year of a shared service does not fit in memory at once."""
        from reports.builder import stream_report
        from reports.csv_export import csv_chunks

        try:
            stream = stream_report(form.user, form.selection(), form.findings())
        except ValueError as error:
            raise CommandError(f"条件が正しくありません (invalid arguments): {error}") from None
        if not stream.has_audits:
            raise CommandError(
                "条件に合う監査・指摘事項がありません。(nothing to report for this selection)"
            )
        findings = 0

        def counted() -> Iterator[list[AuditBlock]]:
            nonlocal findings
            for part in stream.parts():
                findings += sum(
                    1 for audit in part for _, _, row in audit.rows() if not row.is_container
                )
                yield part

        size = 0
        try:
            with atomic_output(target) as handle:
                for chunk in csv_chunks(counted()):
                    handle.write(chunk)
                    size += len(chunk)
        except ValueError as error:
            raise CommandError(f"出力できませんでした (cannot render): {error}") from None
        self.stdout.write(
            f"{target} に出力しました（{findings} 件, {size:,} バイト）。 (wrote {target})"
        )

    def _export_summary(self, options: dict[str, Any]) -> None:
        """The audit report (監査報告書 / 概要版) of one audit, as its reader `--user`."""
        fmt = str(options["fmt"]).lower()
        export = SUMMARY_FORMATS.get(fmt)
        if export is None:
            codes = " / ".join(SUMMARY_FORMATS)
            raise CommandError(
                f"監査報告書（概要版）は {codes} で出力します。形式 {options['fmt']!r} には"
                f"対応していません。 (the summary report is written as"
                f" {codes.replace(' / ', ' or ')}, not {options['fmt']!r})"
            )
        unused = [flag for name, flag in SELECTION_OPTIONS.items() if options.get(name)]
        if unused:
            flags = " ".join(unused)
            raise CommandError(
                f"{flags} は監査報告書（概要版）には使えません。--audit で監査を指定してください。"
                f" ({flags} do not apply to the summary report; it covers one --audit)"
            )
        if not options.get("audit"):
            raise CommandError(
                "監査報告書（概要版）には --audit で監査の ID を指定してください。"
                " (--report summary needs --audit)"
            )
        target = checked_output_path(options["output"])
        user = self._user(options.get("user"))
        try:
            audit = get_audit_for_user(user, options["audit"]).audit
        except Http404:
            raise CommandError(
                f"--audit {options['audit']!r} の監査は見つからないか、利用者"
                f" {user.get_username()!r} には閲覧できません。"
                f" (no audit {options['audit']!r} visible to {user.get_username()!r})"
            ) from None
        content = export.render(build_audit_summary(user, audit))
        write_atomically(target, content)
        self.stdout.write(
            f"{target} に出力しました（監査報告書, {len(content):,} バイト）。 (wrote {target})"
        )

    def _export_incidents(self, options: dict[str, Any]) -> None:
        """The incident register of one fiscal year (or a run of years), as its reader
        `--user`: the same document the download buttons render."""
        from incidents.exports import INCIDENT_FORMATS
        from incidents.register import build_register

        export = INCIDENT_FORMATS.get(str(options["fmt"]).lower())
        if export is None:
            codes = " / ".join(INCIDENT_FORMATS)
            raise CommandError(
                f"形式 {options['fmt']!r} には対応していません。{codes} から選んでください。"
                f" (unknown format {options['fmt']!r}; use {codes.replace(' / ', ', ')})"
            )
        unused = [flag for name, flag in SELECTION_OPTIONS.items() if options.get(name)]
        if options.get("audit"):
            unused.append("--audit")
        if unused:
            flags = " ".join(unused)
            raise CommandError(
                f"{flags} はセキュリティ障害の一覧には使えません。"
                f" ({flags} do not apply to --incidents)"
            )
        first = parse_fiscal_year_argument(options["incidents"], option="--incidents")
        last = first
        if options.get("through"):
            last = parse_fiscal_year_argument(options["through"], option="--through")
            if last < first:
                raise CommandError(
                    "--through の年度は --incidents の年度以降にしてください。"
                    " (--through must not be before --incidents)"
                )
        target = checked_output_path(options["output"])
        user = self._user(options.get("user"))
        doc = build_register(user, first, last)
        content = export.render(doc)
        write_atomically(target, content)
        self.stdout.write(
            f"{target} に出力しました（セキュリティ障害 {doc.total} 件, {len(content):,} バイト）。"
            f" (wrote {target})"
        )

    def _export_round(self, options: dict[str, Any]) -> None:
        """A self-inspection or survey round's results (inspections.exports), as `--user`
        would download them."""
        from inspections.access import visible_rounds
        from inspections.exports import RESULT_FORMATS, render_round_results

        unused = [f for n, f in {**SELECTION_OPTIONS, "audit": "--audit"}.items() if options.get(n)]
        if unused:
            flags = " ".join(unused)
            raise CommandError(
                f"{flags} は --round と一緒には使えません。 ({flags} do not apply to --round)"
            )
        export = RESULT_FORMATS.get(str(options["fmt"]).lower())
        if export is None:
            raise CommandError(
                f"形式 {options['fmt']!r} には対応していません。pdf / xlsx / csv から選んでください。"
                f" (unknown format {options['fmt']!r}; use pdf, xlsx or csv)"
            )
        target = checked_output_path(options["output"])
        user = self._user(options.get("user"))
        wanted = str(options["round"]).strip()
        rounds = visible_rounds(user)
        matches = (
            list(rounds.filter(pk=int(wanted))) if wanted.isascii() and wanted.isdigit() else []
        )
        if not matches:
            matches = list(rounds.filter(name=wanted))
        if not matches:
            raise CommandError(
                f"--round {wanted!r} の点検・調査は見つからないか、利用者"
                f" {user.get_username()!r} には閲覧できません。"
                f" (no inspection round {wanted!r} visible to {user.get_username()!r})"
            )
        content = render_round_results(matches[0], export.code)
        write_atomically(target, content)
        self.stdout.write(
            f"{target} に出力しました（{matches[0].name}, {len(content):,} バイト）。 (wrote {target})"
        )

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(
                    f"利用者 {username!r} が見つからないか無効です。(no active user {username!r})"
                )
        else:
            user = default_user()
            if user is None:
                raise CommandError(
                    "有効な管理者・監査担当の利用者がいません。--user で指定してください。"
                    " (no active administrator or auditor; pass --user)"
                )
        if role_of(user) is None:
            raise CommandError(
                f"利用者 {user.get_username()!r} にはロールがありません。"
                f" (user {user.get_username()!r} has no role)"
            )
        return user

    @staticmethod
    def _department(value: str | None) -> str:
        """The department's id for the form, from an id, a 所属コード or a name."""
        if not value:
            return ""
        matches = departments_matching(value)
        if not matches:
            raise CommandError(
                f"--department {value!r} に当たる所属がありません（ID・所属コード・名称で指定）。"
                f" (no department with id, code or name {value!r})"
            )
        if len(matches) > 1:
            names = "、".join(f"{d.full_name}（{d.code}）" for d in matches)
            raise CommandError(
                f"--department {value!r} に当たる所属が複数あります: {names}。"
                f"所属コードで指定してください。 ({value!r} matches several departments;"
                " give the code)"
            )
        return str(matches[0].pk)

    @staticmethod
    def _errors(form: ReportSelectionForm) -> str:
        options = {
            "audit": "--audit",
            "fiscal_year": "--fiscal-year",
            "department": "--department",
            "open_only": "--open-only",
            "as_of": "--as-of",
            "basis": "--basis",
        }
        lines = ["条件が正しくありません (invalid arguments):"]
        for name, errors in form.errors.items():
            label = options.get(name, "")
            for error in errors:
                lines.append(f"  {label} {error}".rstrip() if label else f"  {error}")
        return "\n".join(lines)
