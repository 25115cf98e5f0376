"""Spreadsheet-safe text: nothing a report writes can run as a formula or break a file."""

import pytest

from reports.cells import safe_text


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://example.com","x")', "+1", "-1", "@SUM(A1:A2)", "\tx", "\rx"],
)
def test_values_a_spreadsheet_would_evaluate_are_marked_and_quoted_for_csv(value):
    safe = safe_text(value)

    assert safe.formula_like
    assert safe.for_csv.startswith("'")


@pytest.mark.parametrize(
    "value", ["(3)① サーバ室", "令和3年5月31日", "1+1", "a=b", "＝全角は数式ではない", ""]
)
def test_ordinary_text_is_left_as_written(value):
    safe = safe_text(value)

    assert not safe.formula_like
    assert safe.for_csv == value == safe.text


def test_excel_keeps_the_text_as_written_and_only_csv_gets_the_apostrophe():
    safe = safe_text("=1+1")

    assert safe.text == "=1+1"
    assert safe.for_csv == "'=1+1"


def test_control_characters_excel_rejects_are_dropped_but_tab_and_line_breaks_kept():
    safe = safe_text("鐘\x07の音\x00\x1b。\t列\n次の行")

    assert safe.text == "鐘の音。\t列\n次の行"


def test_crlf_from_a_browser_form_becomes_a_plain_line_break():
    assert safe_text("一行目\r\n二行目\r三行目").text == "一行目\n二行目\n三行目"


def test_a_leading_carriage_return_is_still_neutralised_after_line_break_cleanup():
    safe = safe_text("\r=1+1")

    assert safe.formula_like
    assert safe.for_csv == "'\n=1+1"


def test_none_and_numbers_become_text():
    assert safe_text(None).text == ""
    assert safe_text(2020).text == "2020"
    assert safe_text(-5).formula_like
