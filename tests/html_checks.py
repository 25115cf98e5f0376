"""What the Content-Security-Policy forbids, found in rendered HTML: inline scripts,
<style> elements, style="" attributes and on* event handler attributes."""

from __future__ import annotations

from html.parser import HTMLParser


class _InlineCodeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        line = self.getpos()[0]
        if tag == "script":
            kind = (names.get("type") or "").lower()
            # A JSON data block is data, not code (CSP does not run it either).
            if "src" not in names and kind not in ("application/json", "application/ld+json"):
                self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        if "style" in names:
            self.found.append(f"line {line}: style attribute on <{tag}>")
        for name in names:
            if name.startswith("on"):
                self.found.append(f"line {line}: {name} handler on <{tag}>")
            if name.startswith("hx-on"):
                self.found.append(f"line {line}: {name} (htmx evaluates it as code) on <{tag}>")
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: javascript: URL in {name} on <{tag}>")


def inline_code(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def is_html(response: object) -> bool:
    return "text/html" in response.get("Content-Type", "")  # type: ignore[attr-defined]


class _SizeCounter(HTMLParser):
    """Options per <select> and rows per <tbody>, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.selects: dict[str, int] = {}
        self.bodies: list[int] = []
        self._select: str | None = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            names = dict(attrs)
            self._select = names.get("name") or names.get("id") or f"select {len(self.selects)}"
            self.selects[self._select] = 0
        elif tag == "option" and self._select is not None:
            self.selects[self._select] += 1
        elif tag == "tbody":
            self.bodies.append(0)
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.bodies[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "tbody":
            self._in_body = False


def select_sizes(html: str) -> dict[str, int]:
    """{select name: number of <option>s} (options inside <optgroup>s included)."""
    counter = _SizeCounter()
    counter.feed(html)
    counter.close()
    return counter.selects


def table_body_rows(html: str) -> list[int]:
    """The number of rows of each table body on the page."""
    counter = _SizeCounter()
    counter.feed(html)
    counter.close()
    return counter.bodies


def body_of(response: object) -> bytes:
    """A response's bytes, whether it was streamed (the CSV export) or not."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    content: bytes = response.content  # type: ignore[attr-defined]
    return content
