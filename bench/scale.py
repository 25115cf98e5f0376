"""Pages at scale as a served app sees them (issue 13): `bench/scale.py`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> bench/scale.py [--requests 20]
        [--seconds 10] [--threads 4] [--no-exports]

Reads a database filled by bench/scale_data.py (`make bench-scale` does both). Serves
the app with gunicorn as `make serve` does (DEBUG off, collected static files, 2 sync
workers of 1 thread, MFA off as in the demo) with bench/scale_settings.py, which adds
/bench/hello/: a page behind the same middleware that runs no query of its own. Signs
in through the login form as `bench-auditor` and `bench-staff` and prints, per page and
role:

- p50 / p95 of the time per request over N requests, as a client on the same machine
  sees it (the app sets no Server-Timing header), and the response size;
- the query count, from one fetch through Django's test client in this process
  (CaptureQueriesContext);
- then the throughput of the finding list against /bench/hello/ with 4 client threads
  for 10 s each, per role;
- then the exports of the 500-finding audit (CSV, Excel, PDF) through bench/exports.py,
  each in a child process.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

from bench.scale_data import PASSWORD, THEME_PREFIX  # noqa: E402

KEYWORD = "情報セキュリティ"


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # "auditor" or "staff"
    path: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int, work: Path) -> subprocess.Popen[bytes]:
    python = sys.executable
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.scale_settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "MFA_REQUIRED": "0",
        "STATIC_ROOT": str(work / "static"),
        "EVIDENCE_ROOT": str(work / "evidence"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "1",
    }
    (work / "evidence").mkdir()
    subprocess.run(
        [python, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log = (work / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(1)
    server.terminate()
    raise SystemExit(f"gunicorn did not start: see {work / 'gunicorn.log'}")


def sign_in(base: str, username: str) -> str:
    """The Cookie header of a session signed in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/accounts/login/", timeout=60) as response:
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.read())
    assert token is not None, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
    )
    with opener.open(request, timeout=60) as response:
        if "/accounts/login/" in response.url:
            raise SystemExit(f"signing in as {username} failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(connection: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, int]:
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    return response.status, len(response.read())


def timed(port: int, path: str, cookie: str, runs: int) -> tuple[list[float], int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    fetch(connection, path, cookie)  # warm: the worker's first request loads templates
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        status, size = fetch(connection, path, cookie)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    connection.close()
    return times, size


def throughput(port: int, path: str, cookie: str, threads: int, seconds: float) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            fetch(connection, path, cookie)
            done[i] += 1
        connection.close()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(done) / (time.perf_counter() - started)


def pad(text: str, width: int) -> str:
    """text left-aligned in `width` columns, counting a full-width character as two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def pages() -> tuple[list[Page], int]:
    """The pages to time, with the ids this database gave them; and the big audit."""
    from django.db.models import Count

    from audits.models import Audit, Department
    from findings.models import Finding

    big = Audit.objects.filter(theme__startswith=THEME_PREFIX).order_by("pk").first()
    if big is None:
        raise SystemExit("no data: run bench/scale_data.py first")
    seed = Audit.objects.exclude(theme__startswith=THEME_PREFIX).order_by("pk").first()
    assert seed is not None
    long_history = (
        Finding.objects.filter(audit=big)
        .annotate(n=Count("entries"))
        .order_by("-n")
        .values_list("pk", flat=True)[0]
    )
    q = urllib.parse.quote(KEYWORD)
    department = Department.objects.get(code="sb3-4").pk  # a 課 of ~9,000 findings
    auditor = [
        ("finding list, page 1", "/findings/"),
        ("finding list, 未措置", "/findings/?status=open"),
        ("finding list, by status date", "/findings/?o=-status_date"),
        ("finding list, by due date", "/findings/?o=due"),
        ("finding list, newest audits first", "/findings/?o=-audit"),
        ("finding list, one 課", f"/findings/?department={department}"),
        ("finding list, overdue, page 40", "/findings/?overdue=1&page=40"),
        (f"finding list, keyword {KEYWORD}", f"/findings/?q={q}"),
        ("finding detail (30 entries)", f"/findings/{long_history}/"),
        ("audit list", "/audits/"),
        ("audit list, page 100", "/audits/?page=100"),
        ("audit detail (500 findings)", f"/audits/{big.pk}/"),
        ("dashboard", "/dashboard/"),
        ("report preview, seed 000", f"/reports/?audit={seed.pk}"),
        ("hello (yardstick)", "/bench/hello/"),
    ]
    staff = [
        ("own findings (mine)", "/findings/mine/"),
        ("finding list, page 1", "/findings/"),
        ("finding list, 未措置", "/findings/?status=open"),
        ("dashboard", "/dashboard/"),
    ]
    return [Page(n, "auditor", p) for n, p in auditor] + [
        Page(n, "staff", p) for n, p in staff
    ], big.pk


def query_count(page: Page) -> int | str:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audits.models import User

    if page.path.startswith("/bench/"):
        return "-"  # not in the app's URLs
    settings.MFA_REQUIRED = False
    client = Client()
    client.force_login(User.objects.get(username=f"bench-{page.role}"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.path)
    assert response.status_code == 200, (page.path, response.status_code)
    return len(captured.captured_queries)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="requests per page")
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput run")
    parser.add_argument("--threads", type=int, default=4, help="client threads, throughput")
    parser.add_argument("--no-exports", action="store_true")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench/scale.py needs DATABASE_URL=postgres://… (see its docstring)")
        return 2
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from findings.models import Finding
    from remediation.models import RemediationEntry

    setup_test_environment()  # the test client's host, and no mail goes out
    plan, big_audit = pages()
    print(
        f"{Finding.objects.count():,} findings, {RemediationEntry.objects.count():,} entries; "
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}"
    )
    queries = {page: query_count(page) for page in plan}
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        server = start_server(port, Path(work))
        try:
            cookies = {
                "auditor": sign_in(base, "bench-auditor"),
                "staff": sign_in(base, "bench-staff"),
            }
            print(f"\n{'role':8} {'page':40} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8} {'queries':>7}")
            slowest = (0.0, "")
            for page in plan:
                times, size = timed(port, page.path, cookies[page.role], args.requests)
                p50, p95 = 1000 * statistics.median(times), 1000 * percentile(times, 0.95)
                slowest = max(slowest, (p95, f"{page.role} {page.name}"))
                print(
                    f"{page.role:8} {pad(page.name, 40)} {p50:8.0f} {p95:8.0f} "
                    f"{size / 1024:8.0f} {queries[page]!s:>7}",
                    flush=True,
                )
            print(f"slowest p95: {slowest[1]} ({slowest[0]:.0f} ms)")
            print(f"\nthroughput, {args.threads} client threads × {args.seconds:g} s, 2 workers:")
            hello = throughput(
                port, "/bench/hello/", cookies["auditor"], args.threads, args.seconds
            )
            print(f"  hello world (auditor)            {hello:8.1f} req/s")
            for role in ("auditor", "staff"):
                rate = throughput(port, "/findings/", cookies[role], args.threads, args.seconds)
                print(
                    f"  finding list ({role:7})           {rate:8.1f} req/s"
                    f"  = {100 * rate / hello:5.1f} % of hello (target ≥ 25 %)"
                )
        finally:
            server.terminate()
            server.wait(30)
    if not args.no_exports:
        from bench.exports import run_child

        database = str(connection.settings_dict["NAME"])
        print(f"\nexports of audit #{big_audit} (500 findings), each in a child process:")
        for fmt in ("csv", "xlsx", "pdf"):
            r = run_child(fmt, big_audit, database)
            peak = max(r["peak_mb"], r["children_peak_mb"])
            print(
                f"  {fmt:5} {r['wall']:6.2f} s (cpu {r['cpu']:5.2f} + workers "
                f"{r['children_cpu']:5.2f})  peak {peak:4.0f} MB  {r['bytes'] / 1e6:6.1f} MB file",
                flush=True,
            )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
