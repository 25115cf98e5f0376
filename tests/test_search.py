"""Keyword search finds Japanese text as people type it (findings.search): one normaliser
for the stored text and the query, every text of a finding searched, matches marked."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse

from audits.services import add_key_risk, update_key_risk, update_viewpoint
from findings.models import Finding
from findings.search import highlight, normalise, search_terms
from findings.services import update_finding

CASES = [
    # (as written, normalised): NFKC and case-folding
    ("ＵＳＢ", "usb"),
    ("USB", "usb"),
    ("ｕｓｂメモリ", "usbめもり"),
    ("１２３", "123"),
    ("ｻｰﾊﾞ", "さーば"),  # half-width kana, dakuten composed
    ("㈱", "(株)"),
    # katakana → hiragana, both ways find each other
    ("サーバ", "さーば"),
    ("ヴァイオリン", "ゔぁいおりん"),
    ("霞ヶ関", "霞ゖ関"),
    # the long-vowel mark at a word's end goes; inside a word it stays
    ("サーバー", "さーば"),
    ("サーバーの設定", "さーばの設定"),
    ("コンピューター。", "こんぴゅーた。"),
    ("ユーザー管理", "ゆーざ管理"),
    ("データ", "でーた"),
    ("サーバーテスト", "さーばーてすと"),
    ("ｻｰﾊﾞｰ", "さーば"),
    ("さーばー", "さーば"),  # typed in hiragana
    ("すごーい", "すごーい"),  # hiragana followed by hiragana: inside the word
    ("ー", "ー"),  # no kana before it: kept
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_normaliser_table(text, expected):
    assert normalise(text) == expected


def test_query_terms_are_normalised_split_on_any_space_and_deduplicated():
    assert search_terms("　サーバー　ＵＳＢ usb ") == ["さーば", "usb"]
    assert search_terms("   ") == []


pytestmark_db = pytest.mark.django_db


@pytest.fixture
def plain_finding(make_finding):
    return make_finding(viewpoint=None, title="機器の管理について", body="サーバの保守を行うこと。")


@pytestmark_db
def test_a_new_finding_has_its_texts_normalised(make_finding):
    finding = make_finding(title="ＵＳＢの件")
    finding.refresh_from_db()
    assert finding.search_text.splitlines() == [
        "usbの件",
        "不用なものは廃棄すること。",
        "情報しすてむのさーば等の管理は適切になされているか。",
    ]


@pytestmark_db
def test_recording_an_entry_adds_its_text(plain_finding, make_entry):
    make_entry(plain_finding, content="ＵＳＢメモリを回収した。")
    plain_finding.refresh_from_db()
    assert plain_finding.search_text.endswith("\nusbめもりを回収した。")


@pytestmark_db
def test_changing_a_finding_rewrites_its_text_and_keeps_its_entries(
    plain_finding, make_entry, ict, auditor
):
    make_entry(plain_finding, content="対応済み")
    update_finding(plain_finding, departments=[ict], user=auditor, body="ネットワークの件")
    plain_finding.refresh_from_db()
    assert plain_finding.search_text == "機器の管理について\nねっとわーくの件\n対応済み"


@pytestmark_db
def test_changing_a_viewpoint_or_key_risk_rewrites_the_findings_under_it(
    audit, finding, viewpoint, auditor
):
    risk = add_key_risk(audit, number="1", title="情報漏えい", user=auditor)
    update_viewpoint(viewpoint, number="(3)", text="ＵＳＢ機器", user=auditor, key_risk=risk)
    finding.refresh_from_db()
    assert finding.search_text.endswith("\nusb機器\n情報漏えい")
    update_key_risk(risk, number="1", title="不正アクセス", user=auditor)
    finding.refresh_from_db()
    assert finding.search_text.endswith("\nusb機器\n不正あくせす")


@pytestmark_db
def test_rebuild_command_fills_rows_written_around_the_services(plain_finding):
    Finding.objects.filter(pk=plain_finding.pk).update(search_text="")
    call_command("rebuild_search_text", stdout=None)
    plain_finding.refresh_from_db()
    assert "さーばの保守" in plain_finding.search_text


def _listed(client, query: str) -> list[int]:
    response = client.get(reverse("finding_list"), {"q": query})
    assert response.status_code == 200
    return [f.pk for f in response.context["rows"]]


@pytestmark_db
def test_finding_list_finds_japanese_text_however_it_is_typed(
    client, auditor, make_finding, make_entry
):
    client.force_login(auditor)
    server = make_finding(viewpoint=None, title="機器の件", body="サーバの保守を行うこと。")
    usb = make_finding(viewpoint=None, label="②", title="記録媒体の件", body="管理簿を作ること。")
    make_entry(usb, content="USBメモリを回収した。")
    other = make_finding(viewpoint=None, label="③", title="その他", body="なし")
    assert _listed(client, "サーバー") == [server.pk]
    assert _listed(client, "ＵＳＢ") == [usb.pk]  # found in an entry's text
    assert _listed(client, "さーば") == [server.pk]  # hiragana finds katakana
    assert _listed(client, "ｻｰﾊﾞｰ 保守") == [server.pk]  # every term must match
    assert _listed(client, "サーバー 回収") == []
    assert other.pk in _listed(client, "")  # no keyword: no narrowing


@pytestmark_db
def test_finding_list_marks_the_matches_and_escapes_the_rest(client, auditor, make_finding):
    client.force_login(auditor)
    make_finding(viewpoint=None, title="<b>サーバー</b>の件", body="ＵＳＢとサーバ")
    html = client.get(reverse("finding_list"), {"q": "サーバ usb"}).content.decode()
    assert "&lt;b&gt;<mark>サーバー</mark>&lt;/b&gt;の件" in html
    assert "<mark>ＵＳＢ</mark>と<mark>サーバ</mark>" in html  # the body's snippet
    assert "<b>サーバー" not in html


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("新しいサーバーの設定", "サーバ", "新しい<mark>サーバー</mark>の設定"),
        ("ｻｰﾊﾞｰ室", "さーばー", "<mark>ｻｰﾊﾞｰ</mark>室"),
        ("USB と ＵＳＢ", "usb", "<mark>USB</mark> と <mark>ＵＳＢ</mark>"),
        ("a<b>&c", "b", "a&lt;<mark>b</mark>&gt;&amp;c"),
        ("データベース", "でーた べーす", "<mark>データベース</mark>"),
        ("㈱サーバ", "株", "<mark>㈱</mark>サーバ"),
        ("変わらない", "", "変わらない"),
    ],
)
def test_highlight_marks_the_source_text_of_each_match(text, query, expected):
    assert highlight(text, query) == expected


def test_highlight_snippet_starts_near_the_first_match():
    text = "あ" * 100 + "サーバ" + "い" * 100
    snippet = highlight(text, "サーバー", limit=40)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>サーバ</mark>" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) == 42


def test_template_filters_escape_user_text():
    rendered = Template(
        "{% load finding_search %}{{ t|highlight:q }}|{{ b|match_snippet:q }}|{{ n|match_snippet:q }}"
    ).render(Context({"t": "<i>サーバ</i>", "b": "サーバ&", "n": "無関係", "q": "サーバ"}))
    assert rendered == "&lt;i&gt;<mark>サーバ</mark>&lt;/i&gt;|<mark>サーバ</mark>&amp;|"
