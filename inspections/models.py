"""Self-inspection (自己点検) and survey (調査) rounds across every department.

A checklist (one per 年度, copied from last year's) groups items in categories; each
item is a question with answer options. A round sends a checklist to its target
departments by a deadline; each department answers once (a Response with one Answer
per item), saves drafts, submits, and the audit office accepts it or returns it with a
reason. An answer whose option shows a 課題 becomes an ordinary finding of the round's
container audit (audits.Audit of kind 自己点検 / 調査), so the department improves it
with the same remediation entries, lists and reports as any audit finding.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from audits.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, Audit, Department, User
from audits.wareki import format_fiscal_year, format_wareki
from findings.models import Finding


class Checklist(models.Model):
    fiscal_year = models.PositiveIntegerField("年度")
    name = models.CharField("名称", max_length=200)
    copied_from = models.ForeignKey(
        "self",
        verbose_name="複写元",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name="作成者", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "点検票"
        verbose_name_plural = "点検票"
        ordering = ["-fiscal_year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "name"], name="checklist_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="checklist_name_not_empty"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=MIN_FISCAL_YEAR, fiscal_year__lte=MAX_FISCAL_YEAR),
                name="checklist_fiscal_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_label} {self.name}"

    @property
    def fiscal_year_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)


class ChecklistCategory(models.Model):
    """A group of items: セキュリティマネジメント点検, or one of seed 004's measures."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="categories")
    number = models.CharField("番号", max_length=5, help_text="例: (1)")
    title = models.CharField("見出し", max_length=200)
    description = models.TextField(
        "取組みの内容", blank=True, help_text="結果の報告で見出しの下に「○」で印刷します。"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "点検分類"
        verbose_name_plural = "点検分類"
        ordering = ["checklist", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="category_number_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="category_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ChecklistItem(models.Model):
    """One question. It applies to every target department unless `applies_to` names
    some (seed 004: 「対象：76部署」), and only to those that gave `depends_on` as their
    answer to another item when that is set (「メモ禁止62のうち42」)."""

    category = models.ForeignKey(
        ChecklistCategory, verbose_name="分類", on_delete=models.CASCADE, related_name="items"
    )
    number = models.CharField("番号", max_length=5, help_text="例: ①（分類の中で一意）")
    question = models.TextField("点検項目")
    result_phrase = models.CharField(
        "結果の書き方",
        max_length=100,
        help_text="「150 のうち 144 の部署で◯◯。」の◯◯。例: 巡回が実施されている",
    )
    denominator_label = models.CharField(
        "分母の呼び方",
        max_length=30,
        blank=True,
        help_text="前提の回答がある項目で分母の前に付ける語。例: メモ禁止（→「メモ禁止62のうち42」）",
    )
    allows_other_text = models.BooleanField(
        "その他の対応を記入できる", default=True, help_text="自由記述「その他の対応」の欄を出す"
    )
    applies_to = models.ManyToManyField(
        Department,
        verbose_name="対象の所属",
        blank=True,
        related_name="+",
        help_text="選ばなければ全所属が対象です。",
    )
    depends_on = models.ForeignKey(
        "AnswerOption",
        verbose_name="前提となる回答",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_items",
        help_text="この回答をした所属だけが答える項目にします。",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "点検項目"
        verbose_name_plural = "点検項目"
        ordering = ["category__sort_order", "category_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "number"], name="item_number_unique"),
            models.CheckConstraint(condition=~Q(question=""), name="item_question_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.question[:40]}"


class OptionMeaning(models.TextChoices):
    DONE = "done", "実施（件数に数える）"
    ISSUE = "issue", "課題あり（指摘事項になる）"
    NEUTRAL = "neutral", "課題なし（件数に数えない）"
    NOT_APPLICABLE = "na", "該当なし（分母から除く）"


class AnswerOption(models.Model):
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="options")
    label = models.CharField("回答", max_length=50)
    meaning = models.CharField(
        "意味", max_length=10, choices=OptionMeaning.choices, default=OptionMeaning.DONE
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)

    class Meta:
        verbose_name = "回答の選択肢"
        verbose_name_plural = "回答の選択肢"
        ordering = ["item", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "label"], name="option_label_unique"),
            models.CheckConstraint(condition=~Q(label=""), name="option_label_not_empty"),
            models.CheckConstraint(
                condition=Q(meaning__in=OptionMeaning.values), name="option_meaning_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def shows_issue(self) -> bool:
        return self.meaning == OptionMeaning.ISSUE


class RoundKind(models.TextChoices):
    SELF_INSPECTION = "self", "自己点検"
    SURVEY = "survey", "調査"


class InspectionRound(models.Model):
    fiscal_year = models.PositiveIntegerField("年度")
    kind = models.CharField("種類", max_length=10, choices=RoundKind.choices)
    name = models.CharField("名称", max_length=200, unique=True)
    checklist = models.ForeignKey(
        Checklist, verbose_name="点検票", on_delete=models.PROTECT, related_name="rounds"
    )
    departments = models.ManyToManyField(
        Department, verbose_name="対象の所属", related_name="inspection_rounds"
    )
    start_date = models.DateField("開始日")
    deadline = models.DateField("回答期限")
    purpose = models.TextField("目的", blank=True)
    audit = models.OneToOneField(
        Audit,
        verbose_name="課題を載せる監査",
        on_delete=models.PROTECT,
        related_name="inspection_round",
    )
    opened_at = models.DateTimeField("開始日時", default=timezone.now, editable=False)
    opened_by = models.ForeignKey(
        User, verbose_name="開始者", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "自己点検・調査"
        verbose_name_plural = "自己点検・調査"
        ordering = ["-fiscal_year", "-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("start_date")), name="inspection_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RoundKind.values), name="inspection_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="inspection_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def fiscal_year_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)

    @property
    def deadline_text(self) -> str:
        return format_wareki(self.deadline)

    @property
    def period_text(self) -> str:
        """ "平成29年4月26日～5月12日", as seed 004 prints its 調査期間."""
        start, end = self.start_date, self.deadline
        if start.year == end.year:
            return f"{format_wareki(start)}～{end.month}月{end.day}日"
        return f"{format_wareki(start)}～{format_wareki(end)}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.deadline


class ItemNote(models.Model):
    """The audit office's text for one item of one round's results: the picked
    「その他の対応（主な回答）」 lines and 「今後の方向性」."""

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="notes")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    other_lines = models.TextField("その他の対応（主な回答）", blank=True)
    direction = models.TextField("今後の方向性", blank=True)

    class Meta:
        verbose_name = "結果の記述"
        verbose_name_plural = "結果の記述"
        constraints = [
            models.UniqueConstraint(fields=["round", "item"], name="item_note_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.item_id}"


class ResponseState(models.TextChoices):
    DRAFT = "draft", "作成中"
    SUBMITTED = "submitted", "提出済"
    RETURNED = "returned", "差戻し"
    ACCEPTED = "accepted", "受理済"


class InspectionResponse(models.Model):
    """One department's answer sheet for a round; made at its first save."""

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(
        Department, verbose_name="所属", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        "状態", max_length=10, choices=ResponseState.choices, default=ResponseState.DRAFT
    )
    return_reason = models.TextField("差戻しの理由", blank=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name="更新者", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True)
    reviewed_at = models.DateTimeField("審査日時", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name="審査者", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "点検の回答"
        verbose_name_plural = "点検の回答"
        ordering = ["round", "department__sort_order", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="response_unique"),
            models.CheckConstraint(
                condition=Q(state__in=ResponseState.values), name="response_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ResponseState.RETURNED) | ~Q(return_reason=""),
                name="response_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.name}／{self.department.full_name}"

    @property
    def is_editable(self) -> bool:
        """The department may still change its answers."""
        return self.state in (ResponseState.DRAFT, ResponseState.RETURNED)

    @property
    def counts(self) -> bool:
        """Submitted and accepted answers count in the results."""
        return self.state in (ResponseState.SUBMITTED, ResponseState.ACCEPTED)


class Answer(models.Model):
    response = models.ForeignKey(
        InspectionResponse, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(
        AnswerOption, verbose_name="回答", on_delete=models.PROTECT, null=True, related_name="+"
    )
    other_text = models.TextField("その他の対応", blank=True)
    finding = models.OneToOneField(
        Finding,
        verbose_name="指摘事項",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_answer",
    )

    class Meta:
        verbose_name = "点検項目への回答"
        verbose_name_plural = "点検項目への回答"
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_unique"),
        ]
        indexes = [models.Index(fields=["item", "option"])]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.item_id}"


class VisitInvestigation(models.Model):
    """訪問調査: auditors visit a sample of departments. Its container audit (kind
    訪問調査) holds what they found as findings, the 優良事例 as the audit's 推奨する点,
    and the follow-up as the findings' remediation entries."""

    name = models.CharField("名称", max_length=200, unique=True)
    fiscal_year = models.PositiveIntegerField("年度")
    round = models.ForeignKey(
        InspectionRound,
        verbose_name="もとの自己点検",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    selection_note = models.TextField(
        "選び方", blank=True, help_text="例: 自己点検で課題なしの課から抽出、ローテーション"
    )
    audit = models.OneToOneField(
        Audit, verbose_name="記録する監査", on_delete=models.PROTECT, related_name="visit"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name="作成者", on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "訪問調査"
        verbose_name_plural = "訪問調査"
        ordering = ["-fiscal_year", "-id"]

    def __str__(self) -> str:
        return self.name
