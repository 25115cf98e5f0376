"""Time the 措置状況 PDF of an audit one of whose findings has a 100,000-character
unbroken body (issue 12: it must render within 10 s or be refused).

    DEBUG=1 python bench/long_body_pdf.py [LENGTH]

Runs against the configured database inside a transaction that is rolled back: load the
demo first (`python manage.py load_demo`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from audits.models import User  # noqa: E402
from findings.models import Finding  # noqa: E402
from reports.builder import Selection, build_report  # noqa: E402
from reports.pdf import render_pdf  # noqa: E402


class _Rollback(Exception):
    pass


def main() -> None:
    length = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    user = User.objects.filter(is_superuser=True).first() or User.objects.get(username="kansa")
    try:
        with transaction.atomic():
            finding = Finding.objects.order_by("pk").first()
            if finding is None:
                raise SystemExit("no findings: run `python manage.py load_demo` first")
            Finding.objects.filter(pk=finding.pk).update(body="a" * length)
            report = build_report(user, Selection(audit_id=finding.audit_id))
            start = time.perf_counter()
            try:
                pdf = render_pdf(report)
                outcome = f"{len(pdf):,} bytes"
            except Exception as error:  # the refusal is the other acceptable outcome
                outcome = f"refused: {error}"
            elapsed = time.perf_counter() - start
            print(f"body {length:,} chars: {elapsed:.1f} s, {outcome}")
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
