"""The 措置状況 report in the browser: an HTML preview and the downloads.

Both read the selection through ReportSelectionForm and build the report with the
requesting user, so what anyone downloads is exactly what the access helpers let
them see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts import security_log
from audits.access import get_audit_for_user
from audits.http import AuthenticatedHttpRequest
from reports.builder import Report, stream_report
from reports.forms import ReportSelectionForm
from reports.jobs import (
    background_count,
    job_for_user,
    may_download_reports,
    start_export,
    visible_jobs,
)
from reports.models import ExportState
from reports.render import (
    FORMATS,
    SUMMARY_FORMATS,
    ascii_filename,
    content_disposition,
    report_filename,
    summary_ascii_filename,
    summary_filename,
)
from reports.summary import build_audit_summary

DOWNLOADS_PER_PAGE = 50
NOTHING_TO_EXPORT = "条件に合う指摘事項がありません。条件を見直してください。"


def _author(request: AuthenticatedHttpRequest) -> str:
    user = request.user
    name = getattr(user, "display_name", "") or user.get_username()
    department = getattr(user, "department", None)
    return f"{department.full_name} {name}" if department else name


@require_GET
def report_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    # An empty query string shows only the form: building everything a manager may see
    # is a deliberate choice (submit the form with every field empty), not a page load.
    form = ReportSelectionForm(request.GET or None, user=request.user)
    report = form.build() if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "report": report,
        "formats": FORMATS.values(),
        "query": request.GET.urlencode(),
        "single_audit": report is not None
        and report.selection.audit_id is not None
        and len(report.audits) == 1,
        "show_summary": True,
        "show_departments": True,
        "in_background": _in_background(report),
    }
    # A selection that cannot be read (a date outside the range, an unknown choice) is a
    # bad request: 400, with the messages beside the fields.
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "reports/preview.html", context, status=status)


def _in_background(report: Report | None) -> str:
    """ "PDF・Excel" : the formats this report is too large to send at once."""
    if report is None:
        return ""
    count = report.finding_count
    thresholds = settings.EXPORT_IN_BACKGROUND_FROM
    return "・".join(
        f.label for f in FORMATS.values() if f.code in thresholds and count >= thresholds[f.code]
    )


@require_GET
def report_export(
    request: AuthenticatedHttpRequest, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    export = FORMATS.get(fmt)
    if export is None:
        raise Http404
    form = ReportSelectionForm(request.GET, user=request.user)
    if not form.is_valid():
        return _refused(request, form, export.label)
    size = background_count(form, export.code)
    if size is not None:
        job = start_export(request.user, export.code, form, request.GET.urlencode(), size)
        return redirect("download_detail", pk=job.pk)
    if export.code == "csv":
        return _streamed_csv(request, form)
    report = form.build()
    if not report.finding_count:
        return _refused(request, form, export.label, NOTHING_TO_EXPORT)
    if export.code == "pdf":
        from reports.pdf import PdfTooLarge, render_pdf

        try:
            content = render_pdf(report, author=_author(request), max_chars=settings.PDF_MAX_CHARS)
        except PdfTooLarge as error:
            return _refused(request, form, export.label, str(error))
    else:
        content = export.render(report)
    return _download(request, report, export.code, HttpResponse(content))


def _download(
    request: AuthenticatedHttpRequest,
    report: Report,
    fmt: str,
    response: HttpResponse | StreamingHttpResponse,
) -> HttpResponse | StreamingHttpResponse:
    export = FORMATS[fmt]
    filename = report_filename(report, export.extension)
    security_log.report_downloaded(
        request.user,
        request,
        report="措置状況",
        format_label=export.label,
        filename=filename,
        selection=report.selection_label,
    )
    response["Content-Type"] = export.content_type
    response["Content-Disposition"] = content_disposition(
        filename, ascii_filename(report, export.extension)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _streamed_csv(
    request: AuthenticatedHttpRequest, form: ReportSelectionForm
) -> HttpResponse | StreamingHttpResponse:
    """The CSV written while it is sent, a few thousand findings at a time: a fiscal
    year of a shared service (10⁶ findings) would not fit in a worker's memory."""
    from reports.csv_export import csv_chunks

    stream = stream_report(request.user, form.selection(), form.findings())
    if not stream.has_rows:
        return _refused(request, form, FORMATS["csv"].label, NOTHING_TO_EXPORT)
    head = stream.head
    narrowing = form.narrowing_label()
    if narrowing:
        label = "・".join(p for p in (head.selection_label, narrowing) if p)
        head = dataclasses.replace(head, selection_label=label)
    return _download(request, head, "csv", StreamingHttpResponse(csv_chunks(stream.parts())))


def _refused(
    request: AuthenticatedHttpRequest, form: ReportSelectionForm, label: str, message: str = ""
) -> HttpResponse:
    """A Japanese 400 page instead of a file: never a partial or widened download."""
    return render(
        request,
        "reports/export_error.html",
        {"form": form, "format_label": label, "message": message, "query": request.GET.urlencode()},
        status=400,
    )


# --- downloads made in the background (reports.jobs) ---------------------------------


def report_readers_only(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Outermost on the download pages: 404 (whatever the method) for a user without a
    role, who may download no report; each job is then the owner's alone."""

    @wraps(view)
    def wrapped(
        request: AuthenticatedHttpRequest, *args: object, **kwargs: object
    ) -> HttpResponseBase:
        if not may_download_reports(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@report_readers_only
@require_GET
def download_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ダウンロード一覧: the user's own jobs, newest first, a page at a time."""
    page = Paginator(visible_jobs(request.user), DOWNLOADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/download_list.html",
        {"page": page, "jobs": list(page.object_list), "keep_days": settings.EXPORT_KEEP_DAYS},
    )


@report_readers_only
@require_GET
def download_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One job with its progress; htmx asks for the progress part every 2 s until the
    job is finished."""
    job = job_for_user(request.user, pk)
    template = (
        "reports/_download_progress.html"
        if request.headers.get("HX-Request")
        else "reports/download_detail.html"
    )
    return render(request, template, {"job": job})


@report_readers_only
@require_GET
def download_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The file of a finished job, for its owner while they may still read the report:
    the selection is read again as them (a role or department they lost refuses it)."""
    job = job_for_user(request.user, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404
    export = FORMATS[job.format]
    form = ReportSelectionForm(QueryDict(job.query), user=request.user)
    if not form.is_valid():
        raise Http404
    try:
        content = job.file.open("rb")
    except FileNotFoundError:  # removed from the folder by hand: gone, not an error page
        raise Http404 from None
    security_log.report_downloaded(
        request.user,
        request,
        report="措置状況",
        format_label=export.label,
        filename=job.filename,
        selection=job.selection_label,
    )
    response = FileResponse(content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(
        job.filename, f"sochi-report_{job.pk}.{export.extension}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the audit report (監査報告書 / 概要版) of one audit ---------------------------------


@require_GET
def audit_summary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open to everyone who may read the audit (get_audit_for_user: 404 otherwise); the
    findings in it are those the reader may see."""
    access = get_audit_for_user(request.user, pk)
    summary = build_audit_summary(request.user, access.audit)
    return render(
        request,
        "reports/audit_summary.html",
        {"summary": summary, "formats": SUMMARY_FORMATS.values()},
    )


@require_GET
def audit_summary_export(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The same report as a file, for the same readers as audit_summary."""
    export = SUMMARY_FORMATS.get(fmt)
    if export is None:
        raise Http404
    access = get_audit_for_user(request.user, pk)
    summary = build_audit_summary(request.user, access.audit)
    if export.code == "pdf":
        from reports.pdf import PdfTooLarge, render_summary_pdf

        try:
            content = render_summary_pdf(summary, max_chars=settings.PDF_MAX_CHARS)
        except PdfTooLarge as error:
            return render(
                request,
                "reports/export_error.html",
                {"format_label": export.label, "message": str(error), "query": ""},
                status=400,
            )
    else:
        content = export.render(summary)
    filename = summary_filename(summary, export.extension)
    security_log.report_downloaded(
        request.user,
        request,
        report="監査報告書",
        format_label=export.label,
        filename=filename,
        selection=str(access.audit),
    )
    response = HttpResponse(content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(
        filename,
        summary_ascii_filename(summary, export.extension),
    )
    response["Cache-Control"] = "private, no-store"
    return response
