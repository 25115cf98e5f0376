"""CPU per request of one page, in process (issue 13): `bench/profile_page.py`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> bench/profile_page.py \
        /findings/ --user bench-auditor [--runs 50] [--profile 25]

Reads a database filled by bench/scale_data.py. Fetches the page through Django's test
client signed in with force_login (DEBUG off, as served), warms it once, then prints
the CPU time (time.process_time, the app's and the database driver's share of this
process; PostgreSQL's own time is not in it; the minimum is the steadiest figure on a
shared machine) and the wall time per request, and the query count. With --profile N, N more requests run under cProfile and the functions
with the most cumulative time print: where a page's CPU goes on a shared machine whose
wall times wander.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-profile-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("MFA_REQUIRED", "0")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="bench-auditor")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from audits.models import User

    # DEBUG off serves hashed static names from the manifest: collect once.
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    for path in args.paths:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(path)
        cpu, wall = [], []
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            client.get(path)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        print(
            f"{path} as {args.user}: CPU median {statistics.median(cpu) * 1000:.1f} ms"
            f" (min {min(cpu) * 1000:.1f}), wall {statistics.median(wall) * 1000:.1f} ms,"
            f" {len(queries)} queries, {len(response.content) // 1024} KB"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
