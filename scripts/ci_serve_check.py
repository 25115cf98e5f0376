"""Fetch what a user of `make serve` would: called by scripts/ci_serve_check.sh.

python scripts/ci_serve_check.py http://127.0.0.1:PORT USERNAME PASSWORD

Checks /health/, signs in through the login form (session cookie + CSRF token), and
fetches a page, a hashed static file (compressed, cached for good) and a PDF report.
Standard library only; exits non-zero with a message on the first failure.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import NoReturn


def fail(message: str) -> NoReturn:
    sys.exit(f"serve check FAILED: {message}")


def main(base: str, username: str, password: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(base + path, headers=headers or {})
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    status, _, body = get("/health/")
    health = json.loads(body)
    if status != 200 or health["status"] != "ok":
        fail(f"/health/ answered {status} {health}")
    print(f"ok  /health/ {health['checks']}")

    status, _, body = get("/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        fail(f"/accounts/login/ answered {status} without a CSRF token")
    print("ok  /accounts/login/")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
    )
    with opener.open(request, timeout=60) as response:
        page = response.read()
        if response.status != 200 or "/accounts/login/" in response.url:
            fail(f"signing in as {username} did not leave the login page ({response.url})")
    print(f"ok  signed in as {username}, landed on {urllib.parse.urlsplit(response.url).path}")

    asset = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    if asset is None:
        fail("the page links no hashed /static/css/app.<hash>.css")
    status, headers, body = get(asset.group(1).decode(), {"Accept-Encoding": "gzip"})
    if status != 200 or headers.get("Content-Encoding") != "gzip" or not body:
        fail(f"static file {asset.group(1)!r}: {status} {headers.get('Content-Encoding')}")
    if "immutable" not in headers.get("Cache-Control", ""):
        fail(f"static file is not cached for good: {headers.get('Cache-Control')}")
    print(f"ok  {asset.group(1).decode()} (gzip, {headers['Cache-Control']})")

    status, headers, body = get("/reports/export.pdf/?fiscal_year=2020")
    if (
        status != 200
        or not body.startswith(b"%PDF-")
        or headers.get("Content-Type") != ("application/pdf")
    ):
        fail(f"PDF report answered {status} {headers.get('Content-Type')}")
    print(f"ok  /reports/export.pdf/ ({len(body):,} bytes)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3])
