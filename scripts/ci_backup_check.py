"""Helpers for scripts/ci_backup_check.sh, run with the environment of one instance.

python scripts/ci_backup_check.py attach     adds entries with evidence files to the demo
python scripts/ci_backup_check.py download   downloads every evidence file through the
                                             app's view as the demo auditor and compares
                                             it with the checksum recorded at upload
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from audits.models import User  # noqa: E402
from findings.models import Finding  # noqa: E402
from remediation.files import check_upload  # noqa: E402
from remediation.models import Evidence, RemediationStatus  # noqa: E402
from remediation.services import record_entry  # noqa: E402


def attach() -> None:
    auditor = User.objects.get(username="kansa")
    status = RemediationStatus.objects.order_by("sort_order").first()
    assert status is not None
    findings = list(Finding.objects.filter(children__isnull=True).order_by("id")[:3])
    for number, finding in enumerate(findings, start=1):
        files = [
            check_upload(SimpleUploadedFile(f"報告書{number}.pdf", _pdf(number))),
            check_upload(
                SimpleUploadedFile(f"一覧{number}.csv", f"項目,件数\n確認,{number}\n".encode())
            ),
        ]
        # Today is never before an audit nor in the future, whatever the audit's period.
        record_entry(
            finding, status=status, entry_date=timezone.localdate(), content=f"バックアップ確認用の措置 {number}",
            user=auditor, files=files,
        )  # fmt: skip
    print(f"attached {Evidence.objects.count()} evidence files")


def _pdf(number: int) -> bytes:
    return f"%PDF-1.4\n1 0 obj<<>>endobj\n% evidence {number}\ntrailer<<>>\n%%EOF\n".encode()


def download() -> None:
    client = Client()
    client.force_login(User.objects.get(username="kansa"))
    evidence = list(Evidence.objects.order_by("id"))
    if not evidence:
        sys.exit("no evidence files to download")
    for item in evidence:
        response = client.get(reverse("evidence_download", args=[item.pk]))
        if response.status_code != 200:
            sys.exit(f"evidence #{item.pk} answered {response.status_code}")
        digest = hashlib.sha256(response.getvalue()).hexdigest()
        if digest != item.sha256:
            sys.exit(f"evidence #{item.pk} {item.file.name}: checksum differs")
    print(f"downloaded {len(evidence)} evidence files, every checksum matches")


if __name__ == "__main__":
    actions = {"attach": attach, "download": download}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        sys.exit(__doc__)
    actions[sys.argv[1]]()
