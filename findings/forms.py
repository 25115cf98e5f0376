"""The form auditors log a finding with. Every choice is limited to the one audit."""

from __future__ import annotations

import datetime
import re
from typing import Any, TypedDict

from django import forms

from audits.forms import (
    DepartmentChoiceField,
    all_departments,
    date_field,
    department_field,
    form_field,
    text_field,
)
from audits.models import Audit, Section, Viewpoint
from audits.versions import version_field
from findings.models import BODY_MAX_CHARS, Finding, FindingKind, FindingSubclass
from findings.services import finding_version

NOT_IN_AUDIT = "この監査の{}を一覧から選んでください。"

_CIRCLED = (
    [chr(c) for c in range(0x2460, 0x2474)]  # ①..⑳
    + [chr(c) for c in range(0x3251, 0x3260)]  # ㉑..㉟
    + [chr(c) for c in range(0x32B1, 0x32C0)]  # ㊱..㊿
)
_KATAKANA = list(
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
)
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMBERED = re.compile(r"^([(（]?)([0-9０-９]+)([)）]?)$")


def next_label(label: str) -> str:
    """The label that follows `label` in the audit's numbering: ① → ②, ア → イ,
    (1) → (2), （１） → （２）, 3 → 4. Empty when there is no obvious next one."""
    label = label.strip()
    for series in (_CIRCLED, _KATAKANA):
        if label in series:
            index = series.index(label)
            return series[index + 1] if index + 1 < len(series) else ""
    match = _NUMBERED.match(label)
    if match is None or bool(match.group(1)) != bool(match.group(3)):
        return ""
    digits = match.group(2)
    number = str(int(digits.translate(_TO_ASCII)) + 1)
    if digits != digits.translate(_TO_ASCII):
        number = number.translate(_FULLWIDTH_DIGITS)
    return f"{match.group(1)}{number}{match.group(3)}"


def first_label(parent: Finding | None) -> str:
    return "ア" if parent is not None else ""


class FindingValues(TypedDict):
    """What the form hands to add_finding / update_finding besides the departments."""

    kind: FindingKind
    section: Section | None
    viewpoint: Viewpoint | None
    parent: Finding | None
    label: str
    title: str
    body: str
    subclass: FindingSubclass | None
    extra_viewpoints: list[Viewpoint]
    due_date: datetime.date | None


class FindingForm(forms.Form):
    kind: forms.ModelChoiceField[FindingKind] = forms.ModelChoiceField(
        label="区分",
        queryset=None,
        empty_label=None,
        error_messages={
            "required": "区分を選んでください。",
            "invalid_choice": NOT_IN_AUDIT.format("区分"),
        },
    )
    section: forms.ModelChoiceField[Section] = forms.ModelChoiceField(
        label="節",
        queryset=None,
        required=False,
        empty_label="（節なし）",
        error_messages={"invalid_choice": NOT_IN_AUDIT.format("節")},
    )
    viewpoint: forms.ModelChoiceField[Viewpoint] = forms.ModelChoiceField(
        label="着眼点",
        queryset=None,
        required=False,
        empty_label="（着眼点なし）",
        help_text="この着眼点の下に印刷します。小項目（ア、イ …）は親項目の着眼点に載ります。",
        error_messages={"invalid_choice": NOT_IN_AUDIT.format("着眼点")},
    )
    extra_viewpoints: forms.ModelMultipleChoiceField[Viewpoint] = forms.ModelMultipleChoiceField(
        label="ほかに答える着眼点",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="一つの指摘事項が複数の着眼点に答えるとき選びます。重要リスクの表では"
        "それぞれの着眼点の欄に載ります（本文は主な着眼点の下に一度だけ印刷します）。",
        error_messages={
            "invalid_choice": NOT_IN_AUDIT.format("着眼点"),
            "invalid_pk_value": NOT_IN_AUDIT.format("着眼点"),
        },
    )
    parent: forms.ModelChoiceField[Finding] = forms.ModelChoiceField(
        label="親項目",
        queryset=None,
        required=False,
        empty_label="（なし：この項目自体が指摘事項）",
        help_text="ア、イ … のような小項目を登録するときだけ、その親の指摘事項を選びます。",
        error_messages={"invalid_choice": NOT_IN_AUDIT.format("指摘事項")},
    )
    label = forms.CharField(
        label="番号",
        max_length=10,
        required=False,
        help_text="例: ①、ア、(1)。報告書に番号を振らない項目は空欄。",
        error_messages={"max_length": "番号は10文字以内で入力してください。"},
    )
    title = forms.CharField(
        label="件名",
        max_length=200,
        required=False,
        help_text="例: サーバ室内の整理整頓について（小項目では空欄でもかまいません）",
        error_messages={
            "max_length": "件名は200文字以内で入力してください（現在 %(show_value)d 文字）。"
        },
    )
    body = forms.CharField(
        label="本文",
        max_length=BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "本文を入力してください。",
            "max_length": (
                "本文は%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。"
            ),
        },
    )
    departments = department_field("担当所属", "担当所属を1つ以上選んでください。")
    subclass: forms.ModelChoiceField[FindingSubclass] = forms.ModelChoiceField(
        label="細区分",
        queryset=None,
        required=False,
        empty_label="指定なし",
        help_text="是正・改善など。報告書では【是正】のように印刷します。",
        error_messages={"invalid_choice": "細区分は一覧から選んでください。"},
    )
    due_date = date_field("措置期限", required=False)
    # The version the edit form was opened on (audits.versions): no lost edits.
    version = version_field()

    def __init__(
        self, *args: Any, audit: Audit, finding: Finding | None = None, **kwargs: Any
    ) -> None:
        self.audit = audit
        self.finding = finding
        if finding is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": finding.kind_id,
                "section": finding.section_id,
                "viewpoint": finding.viewpoint_id,
                "parent": finding.parent_id,
                "label": finding.label,
                "title": finding.title,
                "body": finding.body,
                "departments": [str(d.pk) for d in finding.departments.all()],
                "subclass": finding.subclass_id,
                "extra_viewpoints": [link.viewpoint_id for link in finding.viewpoint_links.all()],
                "due_date": finding.due_date,
                "version": finding_version(finding),
            }
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ModelChoiceField).queryset = audit.finding_kinds.all()
        form_field(self, "section", forms.ModelChoiceField).queryset = audit.sections.all()
        viewpoints = audit.viewpoints.select_related("key_risk").order_by(
            "key_risk__sort_order", "sort_order", "id"
        )
        for name in ("viewpoint", "extra_viewpoints"):
            field = form_field(self, name, forms.ModelChoiceField)
            field.queryset = viewpoints
            field.label_from_instance = viewpoint_choice_label  # type: ignore[method-assign,assignment]
        subclass_field = form_field(self, "subclass", forms.ModelChoiceField)
        subclass_field.queryset = FindingSubclass.objects.filter(
            kind__in=audit.finding_kinds.all()
        ).select_related("kind")
        subclass_field.label_from_instance = subclass_choice_label  # type: ignore[method-assign,assignment]
        # A sub-item without departments of its own takes its parent's (the service decides).
        self.fields["departments"].required = False
        # Validation accepts any finding of this audit so that choosing a sub-item gets
        # the service's precise message; the list offers only top-level findings.
        candidates = Finding.objects.filter(audit=audit)
        if finding is not None:
            candidates = candidates.exclude(pk=finding.pk)
        parent_field = form_field(self, "parent", forms.ModelChoiceField)
        parent_field.queryset = candidates
        tops = candidates.filter(parent__isnull=True).select_related("kind", "section", "viewpoint")
        parent_field.choices = [("", parent_field.empty_label)] + [
            (f.pk, _parent_label(f)) for f in tops.in_print_order()
        ]
        self.has_viewpoints = audit.viewpoints.exists()
        if not self.has_viewpoints:
            self.fields[
                "viewpoint"
            ].help_text = "この監査には着眼点がまだありません（監査の画面で追加できます）。"
        chosen = [d.pk for d in finding.departments.all()] if finding is not None else []
        form_field(self, "departments", DepartmentChoiceField).set_departments(
            all_departments(), chosen
        )

    def service_values(self) -> FindingValues:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "section": data["section"],
            "viewpoint": data["viewpoint"],
            "parent": data["parent"],
            "label": data["label"],
            "title": data["title"],
            "body": data["body"],
            "subclass": data["subclass"],
            "extra_viewpoints": list(data["extra_viewpoints"]),
            "due_date": data["due_date"],
        }


def subclass_choice_label(subclass: FindingSubclass) -> str:
    return f"{subclass.kind.name}：{subclass.name}"


def viewpoint_choice_label(viewpoint: Viewpoint) -> str:
    """ "(2) ア 情報資産の…": the key risk's number, then the viewpoint's, each spaced."""
    risk = viewpoint.key_risk.number if viewpoint.key_risk is not None else ""
    return " ".join(p for p in (risk, viewpoint.number, viewpoint.text[:60]) if p)


def _parent_label(finding: Finding) -> str:
    where = " ".join(
        part
        for part in (finding.kind.name, finding.section.number if finding.section else "")
        if part
    )
    number = (finding.viewpoint.number if finding.viewpoint else "") + finding.label
    text = finding.title or finding.body[:30]
    return f"［{where}］ {number} {text}".replace("  ", " ")


class FindingKindForm(forms.Form):
    name = text_field("区分の名称", 50)
    heading = text_field("報告書の見出し", 50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "例: 指摘、意見、要望、勧告"
        self.fields[
            "heading"
        ].help_text = (
            "報告書に見出しとして印刷する文字。空欄なら名称のまま（例: 「指 摘」と字間を空ける）"
        )


class FindingSubclassForm(forms.Form):
    name = text_field("細区分の名称", 30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "例: 是正、改善。報告書には【是正】のように印刷します。"
