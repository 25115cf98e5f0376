"""A round's results as published (seed 004): per item "N のうち M の部署で…" with the
percentage, the picked その他の対応 lines and 今後の方向性; and year on year, the
departments with 課題あり / 未改善課題あり per category (seed 003), as a table and a
chart. One structure: the page, the PDF, the Excel file and the CSV all render it.

Counted are the responses submitted or accepted. An item's denominator is the
departments with a counted response that the item applies to (its applies_to, and for a
dependent item those that gave the antecedent answer), less those answering 該当なし;
M is those whose answer counts as 実施. A fixed number of queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from findings.models import Finding
from inspections.models import (
    Answer,
    ChecklistCategory,
    ChecklistItem,
    InspectionResponse,
    InspectionRound,
    ItemNote,
    OptionMeaning,
    ResponseState,
)
from inspections.services import applicable_items, applies_map, checklist_items

COUNTED_STATES = (ResponseState.SUBMITTED, ResponseState.ACCEPTED)
TREND_YEARS = 5
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


@dataclass
class ItemResult:
    item: ChecklistItem
    mark: str  # ①, ② … within the category
    heading: str
    denominator: int
    done: int
    option_counts: list[tuple[str, int]]
    other_lines: list[str]
    direction_lines: list[str]
    free_texts: list[str]  # every その他の対応 received, for the office to pick from

    @property
    def percent(self) -> float | None:
        return round(self.done * 100 / self.denominator, 1) if self.denominator else None

    @property
    def percent_text(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.1f}%"

    @property
    def sentence(self) -> str:
        """ "150のうち144の部署で巡回が実施されている。" and its variants."""
        phrase = self.item.result_phrase
        prefix = self.item.denominator_label if self.item.depends_on_id else ""
        if self.denominator and self.done == self.denominator:
            return f"{prefix}{self.denominator}のすべての部署で{phrase}。"
        return f"{prefix}{self.denominator}のうち{self.done}の部署で{phrase}。"


@dataclass
class CategoryResult:
    category: ChecklistCategory
    items: list[ItemResult]
    scope: int | None  # 「対象：76部署」 when every item applies to a subset

    @property
    def direction_lines(self) -> list[str]:
        return [line for item in self.items for line in item.direction_lines]

    @property
    def direction_number(self) -> str:
        return circled(len(self.items) + 1)


@dataclass
class TrendCell:
    issues: int
    open: int


@dataclass
class TrendRow:
    title: str
    cells: list[TrendCell]


@dataclass
class ChartBar:
    y: int
    width: float
    value: int
    fill: str
    label: str


@dataclass
class ChartRow:
    label: str
    y: int
    bars: list[ChartBar]


@dataclass
class Chart:
    rows: list[ChartRow]
    height: int
    label_width: int = 300
    bar_area: int = 380
    series: tuple[tuple[str, str], ...] = ()

    @property
    def width(self) -> int:
        return self.label_width + self.bar_area + 40


ISSUE_FILL = "#0031d8"  # DADS blue 900
OPEN_FILL = "#fb5b01"  # DADS orange 700
SERIES = (("課題あり", ISSUE_FILL), ("未改善課題あり", OPEN_FILL))


@dataclass
class RoundResults:
    round: InspectionRound
    target_count: int
    responded: int
    categories: list[CategoryResult]
    trend_rounds: list[InspectionRound] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        return self.target_count - self.responded

    @property
    def title(self) -> str:
        return f"{self.round.name}について"

    @property
    def trend_years(self) -> list[str]:
        return [r.fiscal_year_label for r in self.trend_rounds]

    @property
    def chart(self) -> Chart:
        rows: list[ChartRow] = []
        values = [v for row in self.trend for c in row.cells for v in (c.issues, c.open)]
        top = max(values, default=0) or 1
        y = 0
        for row in self.trend:
            for label, cell in zip(self.trend_years, row.cells, strict=True):
                bars = [
                    ChartBar(y + 4 + 14 * i, 380 * value / top, value, fill, name)
                    for i, ((name, fill), value) in enumerate(
                        zip(SERIES, (cell.issues, cell.open), strict=True)
                    )
                ]
                rows.append(ChartRow(f"{row.title}（{label}）", y, bars))
                y += 36
        return Chart(rows, y + 4, series=SERIES)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def build_results(round_: InspectionRound) -> RoundResults:
    items = checklist_items(round_.checklist)
    applies = applies_map(items)
    target_ids = set(round_.departments.values_list("pk", flat=True))
    counted = set(
        InspectionResponse.objects.filter(round=round_, state__in=COUNTED_STATES).values_list(
            "department_id", flat=True
        )
    )
    counted &= target_ids
    chosen: dict[int, dict[int, int | None]] = defaultdict(dict)  # department → item → option
    texts: dict[int, list[str]] = defaultdict(list)
    rows = Answer.objects.filter(
        response__round=round_, response__state__in=COUNTED_STATES
    ).values_list("response__department_id", "item_id", "option_id", "other_text")
    for department_id, item_id, option_id, other_text in rows:
        chosen[department_id][item_id] = option_id
        if other_text:
            texts[item_id].append(other_text)
    meaning = {o.pk: o.meaning for i in items for o in i.options.all()}
    notes = {n.item_id: n for n in ItemNote.objects.filter(round=round_)}

    denominators: dict[int, int] = defaultdict(int)
    done: dict[int, int] = defaultdict(int)
    option_counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for department_id in counted:
        answers = chosen.get(department_id, {})
        for item in applicable_items(items, department_id, answers, applies):
            given = answers.get(item.pk)
            if given is not None:
                option_counts[item.pk][given] += 1
            kind = meaning.get(given) if given is not None else None
            if kind == OptionMeaning.NOT_APPLICABLE:
                continue
            denominators[item.pk] += 1
            if kind == OptionMeaning.DONE:
                done[item.pk] += 1

    by_category: dict[int, list[ChecklistItem]] = defaultdict(list)
    categories: dict[int, ChecklistCategory] = {}
    for item in items:
        by_category[item.category_id].append(item)
        categories[item.category_id] = item.category
    results = []
    for category_id, category_items in by_category.items():
        item_results = []
        for position, item in enumerate(category_items, start=1):
            note = notes.get(item.pk)
            heading = "実施状況" if len(category_items) == 1 else f"{item.question}の実施状況"
            item_results.append(
                ItemResult(
                    item=item,
                    mark=circled(position),
                    heading=heading,
                    denominator=denominators[item.pk],
                    done=done[item.pk],
                    option_counts=[
                        (o.label, option_counts[item.pk][o.pk]) for o in item.options.all()
                    ],
                    other_lines=_lines(note.other_lines) if note else [],
                    direction_lines=_lines(note.direction) if note else [],
                    free_texts=sorted(set(texts[item.pk])),
                )
            )
        first = category_items[0]
        scope = None
        if first.depends_on_id is None and applies.get(first.pk):
            scope = len(applies[first.pk] & target_ids)
        results.append(CategoryResult(categories[category_id], item_results, scope))
    built = RoundResults(round_, len(target_ids), len(counted), results)
    _add_trend(built)
    return built


def _add_trend(results: RoundResults) -> None:
    """The latest round of the same kind in each of the last TREND_YEARS fiscal years up
    to this one: departments with an issue answer, and with a finding from one still open
    (not closed by an accepted 措置済), per category title."""
    round_ = results.round
    candidates = InspectionRound.objects.filter(
        kind=round_.kind,
        fiscal_year__lte=round_.fiscal_year,
        fiscal_year__gt=round_.fiscal_year - TREND_YEARS,
    ).order_by("fiscal_year", "opened_at", "id")
    latest: dict[int, InspectionRound] = {}
    for candidate in candidates:
        latest[candidate.fiscal_year] = candidate
    latest[round_.fiscal_year] = round_
    rounds = [latest[year] for year in sorted(latest)]
    results.trend_rounds = rounds
    ids = [r.pk for r in rounds]
    issues: dict[tuple[int, str], set[int]] = defaultdict(set)
    for round_id, title, department_id in (
        Answer.objects.filter(
            response__round_id__in=ids,
            response__state__in=COUNTED_STATES,
            option__meaning=OptionMeaning.ISSUE,
        )
        .values_list("response__round_id", "item__category__title", "response__department_id")
        .distinct()
    ):
        issues[(round_id, title)].add(department_id)
    audit_to_round = {r.audit_id: r.pk for r in rounds}
    still_open: dict[tuple[int, str], set[int]] = defaultdict(set)
    for audit_id, title, department_id in (
        Finding.objects.filter(audit_id__in=list(audit_to_round))
        .filter(Q(source_answer__isnull=False))
        .with_status()
        .open()
        .values_list(
            "audit_id",
            "source_answer__item__category__title",
            "source_answer__response__department_id",
        )
        .distinct()
    ):
        still_open[(audit_to_round[audit_id], title)].add(department_id)
    titles = [c.category.title for c in results.categories]
    results.trend = [
        TrendRow(
            title,
            [TrendCell(len(issues[(r.pk, title)]), len(still_open[(r.pk, title)])) for r in rounds],
        )
        for title in titles
    ]
