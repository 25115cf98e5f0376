"""Report downloads made in the background: asked for on the report page, run by the
task worker (run_export_job below, `manage.py db_worker`), picked up under ダウンロード一覧.

The job keeps the report form's query string and who asked; when it runs, the
selection is read again through ReportSelectionForm as that user, so the file holds
what the access helpers let them see then. Only the owner ever reaches a job
(job_for_user: 404 for anyone else), and the download checks again that they may
still read the report's data.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django_tasks import task

from audits.forms import form_field
from audits.models import User
from audits.roles import role_of
from reports.builder import AuditBlock, Report, count_selected, stream_report
from reports.forms import AuditChoiceField, ReportSelectionForm
from reports.models import ExportJob, ExportState
from reports.render import FORMATS, report_filename

if TYPE_CHECKING:
    from audits.access import AnyUser

logger = logging.getLogger(__name__)

# CSV progress is written at most this many times a job (plus start and end): often
# enough for the bar to move, rarely enough not to load the database.
PROGRESS_STEPS = 10
# PDF and Excel progress (told by the renderer as a fraction) is written at most once in
# this many seconds.
PROGRESS_INTERVAL = 0.5

NOT_READABLE = "条件を読み取れませんでした。報告の画面で条件を選び直してください。"
NOTHING_SELECTED = "条件に合う指摘事項がありません。条件を見直してください。"
UNEXPECTED = "ファイルの作成中に問題が起きました。時間をおいて改めて依頼してください。"


def author_of(user: User) -> str:
    name = getattr(user, "display_name", "") or user.get_username()
    department = getattr(user, "department", None)
    return f"{department.full_name} {name}" if department else name


def may_download_reports(user: AnyUser) -> bool:
    """Everyone with a role opens the report page; a user without one sees nothing."""
    return user.is_authenticated and role_of(user) is not None


def background_count(form: ReportSelectionForm, fmt: str) -> int | None:
    """How many findings this valid selection counts when that is enough for the file
    to be made by the worker (EXPORT_IN_BACKGROUND_FROM); None to send it at once."""
    threshold = settings.EXPORT_IN_BACKGROUND_FROM.get(fmt)
    if threshold is None:
        return None
    count = count_selected(form.user, form.selection(), form.findings())
    return count if count >= threshold else None


def visible_jobs(user: AnyUser) -> QuerySet[ExportJob]:
    """The user's own jobs; nobody sees another's (not even an administrator)."""
    if not may_download_reports(user) or user.pk is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user_id=user.pk)


def job_for_user(user: AnyUser, pk: object) -> ExportJob:
    """The job if it is the user's own, Http404 otherwise (fail closed)."""
    try:
        return visible_jobs(user).get(pk=int(str(pk)))
    except (ExportJob.DoesNotExist, ValueError):
        raise Http404 from None


def start_export(
    user: User, fmt: str, form: ReportSelectionForm, query: str, total: int = 0
) -> ExportJob:
    """Record the job (`total`: the findings counted when asked, for the bar) and put it
    on the queue once the row is committed (the worker must find it)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    audit = form.cleaned_data.get("audit")
    parts = (
        form_field(form, "audit", AuditChoiceField).label_from_instance(audit) if audit else "",
        form.selection().describe(form.cleaned_data.get("department")),
        form.narrowing_label(),
    )
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            format=fmt,
            query=query[:4000],
            selection_label="・".join(p for p in parts if p)[:500],
            total=total,
        )
        transaction.on_commit(lambda: run_export_job.enqueue(job.pk))
    return job


def _set_progress(job: ExportJob, done: int, total: int) -> None:
    job.done, job.total = done, total
    ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)


def progress_writer(job: ExportJob, total: int) -> Callable[[float], None]:
    """What a renderer is handed as progress=: the fraction it tells becomes done / total
    on the job row, never going back, at most once in PROGRESS_INTERVAL seconds (the
    end is written by the caller)."""
    last = time.monotonic()
    written = job.done

    def tell(fraction: float) -> None:
        nonlocal last, written
        done = min(int(fraction * total), total)
        now = time.monotonic()
        if done > written and now - last >= PROGRESS_INTERVAL:
            written, last = done, now
            _set_progress(job, done, total)

    return tell


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.state = ExportState.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


def run_export(job_pk: int) -> ExportJob:
    """Make the file of a waiting job (what the task runs). A job already started or
    finished is left as it is, so a task run twice makes one file."""
    claimed = ExportJob.objects.filter(pk=job_pk, state=ExportState.WAITING).update(
        state=ExportState.RUNNING
    )
    job = ExportJob.objects.select_related("user").get(pk=job_pk)
    if not claimed:
        return job
    try:
        _make_file(job)
    except Exception:  # a failed job says why; the trace goes to the log
        logger.exception("export job %s failed", job.pk)
        return _fail(job, UNEXPECTED)
    return job


def _make_file(job: ExportJob) -> None:
    user = job.user
    form = ReportSelectionForm(QueryDict(job.query), user=user)
    if not form.is_valid():
        _fail(job, NOT_READABLE)
        return
    export = FORMATS[job.format]
    name = f"export-{job.pk}.{export.extension}"
    if export.code == "csv":
        with tempfile.TemporaryFile() as out:
            head = _csv(form, out, lambda done, total: _set_progress(job, done, total))
            if head is None:
                _fail(job, NOTHING_SELECTED)
                return
            out.seek(0)
            job.file.save(name, File(out), save=False)
        report = head
    else:
        report = form.build()
        total = report.finding_count
        if not total:
            _fail(job, NOTHING_SELECTED)
            return
        _set_progress(job, 0, total)
        progress = progress_writer(job, total)
        if export.code == "pdf":
            from reports.pdf import render_pdf

            content = render_pdf(report, author=author_of(user), progress=progress)
        else:
            content = export.render(report, progress)
        job.file.save(name, ContentFile(content), save=False)
        _set_progress(job, total, total)
    now = timezone.now()
    job.filename = report_filename(report, export.extension)[:200]
    job.state = ExportState.DONE
    job.finished_at = now
    job.expires_at = now + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    job.save(update_fields=["filename", "file", "state", "finished_at", "expires_at"])


def _csv(
    form: ReportSelectionForm, out: IO[bytes], progress: Callable[[int, int], None]
) -> Report | None:
    """The CSV written part by part into `out` (memory stays flat), progress as parts
    are done; None when nothing is selected."""
    from reports.csv_export import csv_chunks

    stream = stream_report(form.user, form.selection(), form.findings())
    if not stream.has_rows:
        return None
    total = count_selected(form.user, form.selection(), form.findings())
    head = stream.head
    narrowing = form.narrowing_label()
    if narrowing:
        label = "・".join(p for p in (head.selection_label, narrowing) if p)
        head = dataclasses.replace(head, selection_label=label)
    done = 0
    step = max(1, total // PROGRESS_STEPS)
    reported = 0
    progress(0, total)

    def counted_parts() -> Iterator[list[AuditBlock]]:
        nonlocal done, reported
        for part in stream.parts():
            yield part
            done += sum(1 for audit in part for _, _, row in audit.rows() if not row.is_container)
            if done - reported >= step:
                reported = done
                progress(min(done, total), total)

    for chunk in csv_chunks(counted_parts()):
        out.write(chunk)
    progress(total, total)
    return head


def delete_expired(now: datetime.datetime | None = None) -> int:
    """Delete the files and rows of jobs past their expiry; returns how many."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lt=now))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[j.pk for j in expired]).delete()
    return len(expired)


@task()
def run_export_job(job_pk: int) -> str:
    """The queued task: make the file of one export job, then delete the files past
    their expiry (the worker is the one place that runs anyway; cron may also call
    `manage.py delete_expired_exports`). Returns the job's state. It lives here, not in
    a tasks module, because start_export queues it: the two would import each other."""
    job = run_export(job_pk)
    delete_expired()
    return str(job.state)
