import datetime

import pytest

from audits.wareki import (
    fiscal_year_of,
    fiscal_year_range,
    format_fiscal_year,
    format_wareki,
    parse_fiscal_year,
    parse_wareki,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "compact", "padded"),
    [
        (D(2021, 5, 31), "令和3年5月31日", "令和 3年 5月31日"),
        (D(2022, 3, 31), "令和4年3月31日", "令和 4年 3月31日"),
        (D(2021, 2, 10), "令和3年2月10日", "令和 3年 2月10日"),
        (D(2030, 12, 1), "令和12年12月1日", "令和12年12月 1日"),
        # Era boundaries: 平成 ends 2019-04-30, 令和元年 starts 2019-05-01.
        (D(2019, 4, 30), "平成31年4月30日", "平成31年 4月30日"),
        (D(2019, 5, 1), "令和元年5月1日", "令和元年 5月 1日"),
        (D(2019, 12, 31), "令和元年12月31日", "令和元年12月31日"),
        (D(2020, 1, 1), "令和2年1月1日", "令和 2年 1月 1日"),
        # 昭和 ends 1989-01-07, 平成元年 starts 1989-01-08.
        (D(1989, 1, 7), "昭和64年1月7日", "昭和64年 1月 7日"),
        (D(1989, 1, 8), "平成元年1月8日", "平成元年 1月 8日"),
        (D(1990, 1, 1), "平成2年1月1日", "平成 2年 1月 1日"),
        (D(1926, 12, 25), "昭和元年12月25日", "昭和元年12月25日"),
        (D(1926, 12, 24), "大正15年12月24日", "大正15年12月24日"),
    ],
)
def test_format_wareki_compact_and_padded(day, compact, padded):
    assert format_wareki(day) == compact
    assert format_wareki(day, padded=True) == padded
    assert parse_wareki(compact) == day
    assert parse_wareki(padded) == day


def test_dates_before_taisho_are_refused():
    with pytest.raises(ValueError):
        format_wareki(D(1912, 7, 29))


@pytest.mark.parametrize(
    "text",
    [
        "令和31年2月30日",
        "平成32年1月1日",
        "令和元年4月30日",
        "昭和64年1月8日",
        "令和0年1月1日",
        "2021-05-31",
        "",
    ],
)
def test_parse_wareki_rejects_impossible_dates(text):
    with pytest.raises(ValueError):
        parse_wareki(text)


def test_parse_wareki_accepts_fullwidth_digits():
    assert parse_wareki("令和３年５月３１日") == D(2021, 5, 31)


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (D(2020, 4, 1), 2020),
        (D(2021, 3, 31), 2020),
        (D(2021, 4, 1), 2021),
        (D(2019, 4, 30), 2019),
        (D(2019, 5, 1), 2019),
        (D(2020, 1, 1), 2019),
    ],
)
def test_fiscal_year_of_day(day, fy):
    assert fiscal_year_of(day) == fy


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (2016, "平成28年度"),
    ],
)
def test_fiscal_year_labels_round_trip(fy, label):
    assert format_fiscal_year(fy) == label
    assert parse_fiscal_year(label) == fy


def test_fiscal_year_range_runs_april_to_march():
    assert fiscal_year_range(2020) == (D(2020, 4, 1), D(2021, 3, 31))


def test_template_filters_render_wareki():
    from django.template import Context, Template

    out = Template(
        "{% load wareki %}{{ d|wareki }}|{{ d|wareki_padded }}|{{ y|fiscal_year }}|{{ n|wareki }}"
    ).render(Context({"d": D(2021, 5, 31), "y": 2020, "n": None}))
    assert out == "令和3年5月31日|令和 3年 5月31日|令和2年度|"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("R3.9.30", datetime.date(2021, 9, 30)),
        ("r3/9/30", datetime.date(2021, 9, 30)),
        ("令和3.9.30", datetime.date(2021, 9, 30)),
        ("Ｒ３．９．３０", datetime.date(2021, 9, 30)),
        ("R元.5.1", datetime.date(2019, 5, 1)),
        ("R1.5.1", datetime.date(2019, 5, 1)),
        ("H31.4.30", datetime.date(2019, 4, 30)),
        ("H1-1-8", datetime.date(1989, 1, 8)),
        ("S64.1.7", datetime.date(1989, 1, 7)),
    ],
)
def test_parse_wareki_reads_the_short_spellings(text, day):
    assert parse_wareki(text) == day


@pytest.mark.parametrize("text", ["H31.5.1", "R1.4.30", "X3.9.30", "R3.13.1", "R3.9", "R.9.30"])
def test_parse_wareki_refuses_short_spellings_outside_their_era_or_malformed(text):
    with pytest.raises(ValueError):
        parse_wareki(text)
