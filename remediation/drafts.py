"""An entry waiting at its confirmation step: what the department typed, and its files
staged in storages["staging"], under a random token kept in the person's session.

Nothing is recorded until the draft is submitted (record_entry); a draft abandoned at
the confirmation step leaves no entry, and its files are removed after a day.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from remediation.models import RemediationStatus
from remediation.services import CheckedFile

SESSION_KEY = "entry_drafts"
MAX_AGE = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StagedFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Draft:
    token: str
    finding_id: int
    status: RemediationStatus
    entry_date: datetime.date
    content: str
    files: tuple[StagedFile, ...]

    def checked_files(self) -> list[CheckedFile]:
        """The staged files as uploads for record_entry (opened, not read into memory)."""
        staging = storages["staging"]
        return [
            CheckedFile(
                UploadedFile(
                    staging.open(f.stored_name, "rb"),
                    name=f.original_name,
                    content_type=f.content_type,
                    size=f.size,
                ),
                f.content_type,
            )
            for f in self.files
        ]


def _drafts(session: SessionBase) -> dict[str, dict[str, Any]]:
    drafts: dict[str, dict[str, Any]] = session.get(SESSION_KEY, {})
    return drafts


def save_draft(
    session: SessionBase,
    *,
    finding_id: int,
    status: RemediationStatus,
    entry_date: datetime.date,
    content: str,
    files: list[CheckedFile],
) -> str:
    """Stage the files and remember the rest; returns the draft's token."""
    _remove_expired(session)
    token = secrets.token_urlsafe(16)
    staging = storages["staging"]
    staged = []
    for index, checked in enumerate(files):
        upload = checked.upload
        checked.upload.seek(0)
        stored = staging.save(f"{token}/{index}", upload)
        staged.append(
            {
                "stored_name": stored,
                "original_name": (upload.name or "file")[-200:],
                "content_type": checked.content_type,
                "size": upload.size or 0,
            }
        )
    drafts = _drafts(session)
    drafts[token] = {
        "finding_id": finding_id,
        "status_id": status.pk,
        "entry_date": entry_date.isoformat(),
        "content": content,
        "files": staged,
        "saved_at": timezone.now().isoformat(),
    }
    session[SESSION_KEY] = drafts
    return token


def load_draft(session: SessionBase, token: str, finding_id: int) -> Draft | None:
    """The draft for this finding, or None (unknown, expired or another finding's)."""
    data = _drafts(session).get(token)
    if not data or data.get("finding_id") != finding_id:
        return None
    status = RemediationStatus.objects.filter(pk=data["status_id"]).first()
    if status is None:
        return None
    return Draft(
        token=token,
        finding_id=finding_id,
        status=status,
        entry_date=datetime.date.fromisoformat(data["entry_date"]),
        content=data["content"],
        files=tuple(StagedFile(**f) for f in data["files"]),
    )


def discard_draft(session: SessionBase, token: str) -> None:
    drafts = _drafts(session)
    data = drafts.pop(token, None)
    session[SESSION_KEY] = drafts
    if data:
        _delete_files(data)


def _delete_files(data: dict[str, Any]) -> None:
    staging = storages["staging"]
    for f in data.get("files", []):
        staging.delete(f["stored_name"])


def _remove_expired(session: SessionBase) -> None:
    drafts = _drafts(session)
    now = timezone.now()
    for token, data in list(drafts.items()):
        saved = datetime.datetime.fromisoformat(data.get("saved_at", "2000-01-01T00:00:00+00:00"))
        if now - saved > MAX_AGE:
            _delete_files(drafts.pop(token))
    session[SESSION_KEY] = drafts
