"""Forms auditors use to create an audit and build its structure (節, 重要リスク, 着眼点).

The forms only read and check input; saving goes through audits.services (or, for the
audit header, audits.pages.update_audit) so every change is recorded in one place.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from audits.dates import BoundedDateField
from audits.models import (
    DEFAULT_ADDRESSEE_FORMAT,
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    Audit,
    AuditKind,
    Department,
    KeyRisk,
    PeriodPrecision,
    ViewpointNumbering,
    audit_label,
)
from audits.services import AuditHeader, AuditLists, audit_version
from audits.versions import version_field
from audits.wareki import fiscal_year_of, format_fiscal_year, parse_fiscal_year

if TYPE_CHECKING:
    from findings.models import FindingKind

_F = TypeVar("_F", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """form.fields[name] as the field class the form declares it with, so that its
    queryset, choices and own methods can be set per request."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}")
    return field


# How far back the 年度 select reaches: old audits are still transcribed years later.
FISCAL_YEARS_BACK = 25


def date_field(label: str, *, required: bool, help_text: str = "") -> forms.DateField:
    """A date input limited to the app's range (audits.dates)."""
    return BoundedDateField(label=label, required=required, help_text=help_text)


class DepartmentChoiceField(forms.MultipleChoiceField):
    """Departments as checkboxes grouped by 部局; cleans to a list of Department.

    Only active departments are offered, plus any already chosen (a retired 課 stays
    visible on an old record instead of silently disappearing from it).
    """

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            error_messages={
                "required": required_message,
                "invalid_choice": "選択肢にない所属です。一覧から選んでください。",
            },
            **kwargs,
        )
        self._by_id: dict[str, Department] = {}

    def set_departments(self, departments: Iterable[Department], keep_ids: Iterable[int]) -> None:
        keep = set(keep_ids)
        rows = [d for d in departments if d.is_active or d.pk in keep]
        self._by_id = {str(d.pk): d for d in rows}
        by_parent: dict[int | None, list[Department]] = {}
        for dept in rows:
            by_parent.setdefault(dept.parent_id, []).append(dept)
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for top in by_parent.get(None, []):
            options = [(str(top.pk), f"{top.name}（部局）")]
            options += [(str(child.pk), child.name) for child in by_parent.get(top.pk, [])]
            groups.append((top.name, options))
        # A 課 whose 部局 is retired and not offered still needs a home.
        offered = {pk for _, opts in groups for pk, _ in opts}
        orphans = [(str(d.pk), d.full_name) for d in rows if str(d.pk) not in offered]
        if orphans:
            groups.append(("その他", orphans))
        self.choices = groups

    def clean(self, value: object) -> list[Department]:
        ids = super().clean(value)
        return [self._by_id[pk] for pk in ids]


def grouped_department_choices(
    departments: Iterable[Department], empty_label: str
) -> list[tuple[str, Any]]:
    """Choices of a single department <select>: one <optgroup> per 部局 (the 部局 itself
    first in it), retired departments marked, in print order. With 400 課 a browser's
    select is searchable by typing and grouped for the eye; the options are the same
    whatever renders them."""
    rows = list(departments)
    by_parent: dict[int | None, list[Department]] = {}
    for dept in rows:
        by_parent.setdefault(dept.parent_id, []).append(dept)

    def label(dept: Department, text: str) -> str:
        return text if dept.is_active else f"{text}（廃止）"

    def order(dept: Department) -> tuple[bool, int, str]:
        return (not dept.is_active, dept.sort_order, dept.code)

    choices: list[tuple[str, Any]] = [("", empty_label)]
    placed: set[int] = set()
    for top in sorted(by_parent.get(None, []), key=order):
        options = [(str(top.pk), label(top, f"{top.name}（部局）"))]
        options += [
            (str(child.pk), label(child, child.name))
            for child in sorted(by_parent.get(top.pk, []), key=order)
        ]
        placed.update(int(pk) for pk, _ in options)
        choices.append((top.name, options))
    rest = [(str(d.pk), label(d, d.full_name)) for d in rows if d.pk not in placed]
    if rest:
        choices.append(("その他", rest))
    return choices


# The most audits an audit <select> lists: a shared service holds thousands, and a page
# that draws them all is slow to render and useless to pick from.
AUDIT_CHOICES_MAX = 200


def _year_of(text: object) -> int | None:
    value = str(text or "").strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() too, but int() refuses it
        return int(value)
    try:
        return parse_fiscal_year(value) if value else None
    except ValueError:
        return None


def narrow_audit_choices(
    form: forms.BaseForm, audits: QuerySet[Audit], years: list[int], empty_label: str
) -> None:
    """List in form["audit"] only the audits of one fiscal year: the chosen one, else
    that of the chosen audit, else the latest. Validation still takes any audit the user
    may see (the field's queryset stays `audits`), so a link to an older audit works."""
    field = form_field(form, "audit", forms.ModelChoiceField)
    data = form.data if form.is_bound else {}
    value = str(data.get("audit") or "")
    chosen = (
        audits.filter(pk=int(value)).prefetch_related("kinds").first()
        if value.isascii() and value.isdigit() and len(value) < 10
        else None
    )
    year = _year_of(data.get("fiscal_year"))
    if year not in years:
        year = chosen.fiscal_year if chosen is not None else (years[0] if years else None)
    if year is None:  # the user may see no audit at all
        field.widget.choices = [("", empty_label)]
        return
    # Keys, themes and kind names only: 200 audits with their kinds prefetched as model
    # objects cost 16 ms of CPU on every finding list (at 5,000 audits a year).
    shown = list(
        audits.filter(fiscal_year=year)
        .order_by("-period_start", "-id")
        .values_list("pk", "theme")[: AUDIT_CHOICES_MAX + 1]
    )
    listed = shown[:AUDIT_CHOICES_MAX]
    kinds: dict[int, list[str]] = defaultdict(list)
    links = Audit.kinds.through.objects.filter(audit_id__in=[pk for pk, _ in listed])
    for audit_id, name in links.order_by("auditkind__sort_order", "auditkind_id").values_list(
        "audit_id", "auditkind__name"
    ):
        kinds[audit_id].append(name)
    choices = [(str(pk), audit_label(year, kinds[pk], theme)) for pk, theme in listed]
    if chosen is not None and chosen.pk not in {pk for pk, _ in listed}:
        choices.append((str(chosen.pk), str(chosen)))  # the user's choice stays, any year
    field.widget.choices = [("", empty_label), *choices]
    help_text = f"{format_fiscal_year(year)}の監査から選べます（年度を選ぶと、その年度の監査に替わります）。"
    if len(shown) > AUDIT_CHOICES_MAX:
        help_text += f"新しい{AUDIT_CHOICES_MAX}件のみ表示しています。"
    field.help_text = help_text


def department_field(label: str, required_message: str) -> DepartmentChoiceField:
    return DepartmentChoiceField(label=label, required_message=required_message)


def all_departments() -> list[Department]:
    return list(Department.objects.select_related("parent").order_by("sort_order", "code"))


def fiscal_year_choices(current: int | None = None) -> list[tuple[int, str]]:
    this_year = fiscal_year_of(timezone.localdate())
    years = set(range(this_year + 1, this_year - FISCAL_YEARS_BACK, -1))
    if current is not None and MIN_FISCAL_YEAR <= current <= MAX_FISCAL_YEAR:
        years.add(current)
    return [(y, f"{format_fiscal_year(y)}（{y}年度）") for y in sorted(years, reverse=True)]


# The audit's own fields this form edits (header_values); the report's texts have theirs.
AUDIT_FORM_FIELDS = (
    "fiscal_year",
    "theme",
    "period_start",
    "period_end",
    "period_precision",
    "report_number",
    "report_date",
    "signers",
    "notice_date",
    "auditor_names",
    "viewpoint_numbering",
    "addressee_format",
)


class AuditForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(
        label="年度",
        coerce=int,
        error_messages={
            "required": "年度を選んでください。",
            "invalid_choice": "選択肢にない年度です。一覧から選んでください。",
        },
    )
    kinds = forms.ModelMultipleChoiceField(
        label="監査の種類",
        queryset=AuditKind.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="複数選ぶと「財務監査・行政監査」のようにつなげて印刷します。",
        error_messages={
            "required": "監査の種類を1つ以上選んでください。",
            "invalid_choice": "選択肢にない監査の種類です。一覧から選んでください。",
            "invalid_pk_value": "選択肢にない監査の種類です。一覧から選んでください。",
        },
    )
    theme = forms.CharField(
        label="監査のテーマ",
        max_length=200,
        help_text="例: 情報セキュリティの管理について",
        error_messages={
            "required": "監査のテーマを入力してください。",
            "max_length": "監査のテーマは200文字以内で入力してください（現在 %(show_value)d 文字）。",
        },
    )
    audited_departments = department_field("監査対象", "監査対象の所属を1つ以上選んでください。")
    period_start = date_field(
        "監査実施期間（開始）",
        required=False,
        help_text="報告書に監査実施期間を載せないときは空欄のままにします。",
    )
    period_end = date_field(
        "監査実施期間（終了）", required=False, help_text="1日だけの監査なら空欄のままにします。"
    )
    period_precision = forms.ChoiceField(
        label="監査実施期間の表し方",
        required=False,
        choices=PeriodPrecision.choices,
        initial=PeriodPrecision.DAY,
        widget=forms.RadioSelect,
        help_text="「月」を選ぶと「令和5年6月～8月」のように月までを印刷します（日は何日でもかまいません）。",
        error_messages={
            "required": "監査実施期間の表し方を選んでください。",
            "invalid_choice": "監査実施期間の表し方は一覧から選んでください。",
        },
    )
    report_number = forms.CharField(
        label="報告番号",
        max_length=50,
        required=False,
        error_messages={"max_length": "報告番号は50文字以内で入力してください。"},
    )
    report_date = date_field("報告日", required=False)
    signers = forms.CharField(
        label="署名する監査委員",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="報告書の頭書きに載せます。1行に1人（例: 監査委員　山田 太郎）",
        error_messages={"max_length": "署名する監査委員は1000文字以内で入力してください。"},
    )
    notice_date = date_field(
        "措置の通知日", required=False, help_text="長から措置の通知を受けた日（わかっていれば）"
    )
    auditor_names = forms.CharField(
        label="監査人",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="外部監査人など。1行に1人（例: 西城技術士事務所 西城 秀雄）",
        error_messages={"max_length": "監査人は1000文字以内で入力してください。"},
    )
    viewpoint_numbering = forms.ChoiceField(
        label="着眼点の番号",
        required=False,
        choices=ViewpointNumbering.choices,
        initial=ViewpointNumbering.THROUGH,
        widget=forms.RadioSelect,
        error_messages={
            "required": "着眼点の番号の振り方を選んでください。",
            "invalid_choice": "着眼点の番号の振り方は一覧から選んでください。",
        },
    )
    addressee_format = forms.CharField(
        label="あて先の書き方",
        max_length=100,
        required=False,
        initial=DEFAULT_ADDRESSEE_FORMAT,
        help_text="監査対象が複数の所属のとき、各指摘事項に印刷します。{所属}・{部局}・{課} が"
        "所属名に置き換わります。例: 【{部局}（{課}）に対して】",
        error_messages={
            "required": "あて先の書き方を入力してください。",
            "max_length": "あて先の書き方は100文字以内で入力してください。",
        },
    )
    finding_kinds: forms.ModelMultipleChoiceField[FindingKind] = forms.ModelMultipleChoiceField(
        label="報告に載せる区分",
        queryset=None,  # set in __init__ so the vocabulary is read per request
        widget=forms.CheckboxSelectMultiple,
        help_text="措置状況報告に見出しとして載せる区分。載せない区分は外します。",
        error_messages={
            "required": "報告に載せる区分を1つ以上選んでください。",
            "invalid_choice": "選択肢にない区分です。",
            "invalid_pk_value": "選択肢にない区分です。",
        },
    )

    # The version the edit form was opened on (audits.versions): no lost edits.
    version = version_field()

    def __init__(self, *args: Any, audit: Audit | None = None, **kwargs: Any) -> None:
        from findings.models import FindingKind

        self.audit = audit
        if audit is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "fiscal_year": audit.fiscal_year,
                "kinds": [k.pk for k in audit.kinds.all()],
                "theme": audit.theme,
                "audited_departments": [str(d.pk) for d in audit.audited_departments.all()],
                "period_start": audit.period_start,
                "period_end": audit.period_end,
                "period_precision": audit.period_precision,
                "report_number": audit.report_number,
                "report_date": audit.report_date,
                "signers": audit.signers,
                "notice_date": audit.notice_date,
                "auditor_names": audit.auditor_names,
                "viewpoint_numbering": audit.viewpoint_numbering,
                "addressee_format": audit.addressee_format,
                "finding_kinds": [k.pk for k in audit.finding_kinds.all()],
                "version": audit_version(audit, AUDIT_FORM_FIELDS),
            }
        super().__init__(*args, **kwargs)
        kinds = FindingKind.objects.all()
        form_field(self, "finding_kinds", forms.ModelMultipleChoiceField).queryset = kinds
        if audit is None and not self.is_bound:
            self.initial.setdefault("finding_kinds", [k.pk for k in kinds])
            self.initial.setdefault("fiscal_year", fiscal_year_of(timezone.localdate()))
        current_year = audit.fiscal_year if audit is not None else None
        form_field(self, "fiscal_year", forms.TypedChoiceField).choices = fiscal_year_choices(
            current_year
        )
        chosen = [d.pk for d in audit.audited_departments.all()] if audit is not None else []
        form_field(self, "audited_departments", DepartmentChoiceField).set_departments(
            all_departments(), chosen
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start: datetime.date | None = data.get("period_start")
        end: datetime.date | None = data.get("period_end")
        if start is not None and end is not None and end < start:
            self.add_error("period_end", "終了日は開始日以降の日付にしてください。")
        elif start is None and end is not None:
            self.add_error("period_start", "終了日を入れるときは開始日も入力してください。")
        # Left out of a submission, the radio groups and the wording keep their defaults.
        data["period_precision"] = data.get("period_precision") or PeriodPrecision.DAY
        data["viewpoint_numbering"] = data.get("viewpoint_numbering") or ViewpointNumbering.THROUGH
        data["addressee_format"] = data.get("addressee_format") or DEFAULT_ADDRESSEE_FORMAT
        if data.get("period_precision") == PeriodPrecision.MONTH:
            # Only the month is printed: keep the day out of the data as well.
            for name in ("period_start", "period_end"):
                if data.get(name) is not None:
                    data[name] = data[name].replace(day=1)
        return data

    def header_values(self) -> AuditHeader:
        """The audit's own fields for audits.services (create_audit / update_audit)."""
        data = self.cleaned_data
        return AuditHeader(
            fiscal_year=data["fiscal_year"],
            theme=data["theme"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            period_precision=data["period_precision"],
            report_number=data["report_number"],
            report_date=data["report_date"],
            signers=data["signers"],
            notice_date=data["notice_date"],
            auditor_names=data["auditor_names"],
            viewpoint_numbering=data["viewpoint_numbering"],
            addressee_format=data["addressee_format"],
        )

    def list_values(self) -> AuditLists:
        data = self.cleaned_data
        return AuditLists(
            kinds=list(data["kinds"]),
            audited_departments=data["audited_departments"],
            finding_kinds=list(data["finding_kinds"]),
        )


def _number_field(what: str, example: str = "") -> forms.CharField:
    """The number of a section, key risk or viewpoint, as the audit prints it."""
    return forms.CharField(
        label="番号",
        max_length=10,
        help_text=f"例: {example}" if example else "",
        error_messages={
            "required": f"{what}の番号を入力してください。",
            "max_length": "番号は10文字以内で入力してください。",
        },
    )


class SectionForm(forms.Form):
    number = _number_field("節", "1")
    title = forms.CharField(
        label="見出し",
        max_length=200,
        error_messages={
            "required": "節の見出しを入力してください。",
            "max_length": "見出しは200文字以内で入力してください。",
        },
    )


class KeyRiskForm(forms.Form):
    number = _number_field("重要リスク")
    title = forms.CharField(
        label="重要リスク",
        max_length=300,
        error_messages={
            "required": "重要リスクの内容を入力してください。",
            "max_length": "重要リスクは300文字以内で入力してください。",
        },
    )


VIEWPOINT_TEXT_MAX = 2000


class ViewpointForm(forms.Form):
    number = _number_field("着眼点", "(3)")
    text = forms.CharField(
        label="着眼点",
        max_length=VIEWPOINT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "着眼点の文を入力してください。",
            "max_length": f"着眼点は{VIEWPOINT_TEXT_MAX}文字以内で入力してください。",
        },
    )
    key_risk: forms.ModelChoiceField[KeyRisk] = forms.ModelChoiceField(
        label="重要リスク",
        queryset=None,
        required=False,
        empty_label="（なし）",
        error_messages={"invalid_choice": "この監査の重要リスクを選んでください。"},
    )

    def __init__(
        self, *args: Any, audit: Audit, key_risks: list[KeyRisk] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "key_risk", forms.ModelChoiceField)
        field.queryset = audit.key_risks.all()
        if key_risks is not None:
            # Already loaded by the page: render from the list instead of another query.
            field.choices = [("", "（なし）")] + [(r.pk, str(r)) for r in key_risks]


def attach_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's {field: message} errors beside the fields (unknown keys on top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def text_field(label: str, max_length: int, *, required: bool = True) -> forms.CharField:
    """A one-line text with its Japanese messages (empty, too long)."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{max_length}文字以内で入力してください。",
        },
    )


class AuditedSystemForm(forms.Form):
    name = text_field("システム名", 200)
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label="所管課",
        queryset=None,
        required=False,
        empty_label="（なし）",
        error_messages={"invalid_choice": "この監査の監査対象の所属を選んでください。"},
    )

    def __init__(
        self,
        *args: Any,
        audit: Audit,
        departments: list[Department] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "department", forms.ModelChoiceField)
        field.queryset = audit.audited_departments.select_related("parent")
        if departments is not None:
            # Already loaded by the page: render from the list instead of another query.
            field.choices = [("", "（なし）")] + [(d.pk, d.full_name) for d in departments]


class AuditKindForm(forms.Form):
    name = text_field("監査の種類", 50)


# --- the audit report's own content (監査報告書) ------------------------------------------

# A paragraph field of the report: long enough for any published report, not unbounded.
REPORT_TEXT_MAX = 10000


def report_text_field(
    label: str, *, required: bool = False, rows: int = 4, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REPORT_TEXT_MAX,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"{label}を入力してください。",
            "max_length": f"{label}は{REPORT_TEXT_MAX}文字以内で入力してください。",
        },
    )


ONE_PER_LINE = "1行に1項目。番号は自動で付きます。"


class AuditReportForm(forms.Form):
    report_title = text_field("監査報告書の表題", 200, required=False)
    purpose = report_text_field("監査目的")
    method = report_text_field("監査方法", help_text=ONE_PER_LINE)
    standards_applied = report_text_field(
        "適用基準", help_text="1行に1項目。ア、イ … は自動で付きます。"
    )
    standards_reference = report_text_field(
        "参考基準", help_text="1行に1項目。ア、イ … は自動で付きます。"
    )
    report_date_precision = forms.ChoiceField(
        label="報告日の表し方",
        required=False,
        choices=PeriodPrecision.choices,
        initial=PeriodPrecision.DAY,
        widget=forms.RadioSelect,
        help_text="報告日は監査の基本情報で入力します。「月」なら「平成29年1月」のように月までを印刷します。",
        error_messages={"invalid_choice": "報告日の表し方は一覧から選んでください。"},
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(audit, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["report_title"].help_text = "例: 荒川区情報セキュリティ監査報告書（概要版）"

    def clean(self) -> dict[str, Any]:
        super().clean()
        # Left out of a submission, the radio group keeps its default.
        precision = self.cleaned_data.get("report_date_precision")
        self.cleaned_data["report_date_precision"] = precision or PeriodPrecision.DAY
        return self.cleaned_data


class ScheduleItemForm(forms.Form):
    date = date_field("実施日", required=True)
    category = text_field("区分", 100)
    content = text_field("内容", 300, required=False)


class OverallCommentForm(forms.Form):
    heading = text_field("見出し", 200, required=False)
    body = report_text_field("本文", required=True)


class CommendationForm(forms.Form):
    text = report_text_field("推奨する点", required=True, rows=2)
