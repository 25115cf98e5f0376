"""Light pages: the sign-in page on an empty cache stays under 500 kB in all.

The browser has no Japanese system font here (Debian's chromium without fonts-noto-cjk),
so it downloads the WOFF2 slices of the bundled font that the page's characters need:
the worst case a municipal PC without one would see."""

from __future__ import annotations

from playwright.sync_api import Page, Request

SIGN_IN_BUDGET = 500 * 1000


def _transfer_of_page(page: Page, url: str) -> tuple[int, dict[str, int]]:
    sizes: dict[str, int] = {}

    def finished(request: Request) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    page.on("requestfinished", finished)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # Every face the layout asked for, loaded (or failed): then nothing more will come.
    page.evaluate(
        """async () => {
            await document.fonts.ready;
            const pending = [...document.fonts].filter((f) => f.status === "loading");
            await Promise.allSettled(pending.map((f) => f.loaded));
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return sum(sizes.values()), sizes


def test_sign_in_page_loads_under_500_kb_on_an_empty_cache(page: Page, e2e_db) -> None:
    total, sizes = _transfer_of_page(page, f"{e2e_db.url}/accounts/login/")

    fonts = {url: size for url, size in sizes.items() if url.endswith(".woff2")}
    print(f"sign-in page: {total} bytes in {len(sizes)} responses, fonts {sum(fonts.values())}")
    for url, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"  {size:>8}  {url.removeprefix(e2e_db.url)}")
    # The text is drawn with the bundled font, from a few slices only, never the OTF.
    assert fonts, "no font slice was loaded: the page would not show the bundled font"
    assert not any(url.endswith(".otf") for url in sizes)
    assert len(fonts) <= 12
    assert total <= SIGN_IN_BUDGET, f"{total} bytes > {SIGN_IN_BUDGET}"
