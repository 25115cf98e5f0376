"""The import page, for the audit office (管理者 and 監査担当; 404 for everyone else):
upload → preview (a dry run: what would be created, what is already there, the errors
per row; nothing written) → import → result. The uploaded file waits in
storages["staging"] under a random token kept in the session, and the import reads it
again from there, so what is imported is exactly what was previewed."""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audits.http import AuthenticatedHttpRequest
from audits.pages import editors_only
from imports.forms import ImportUploadForm
from imports.layout import template_workbook
from imports.reader import ImportFileError, read_workbook
from imports.services import ERROR, NEW, OUTCOME_LABELS, PRESENT, ImportResult, run_import

SESSION_KEY = "imports_staged"
# A page request reads, checks and writes the file twice (preview, then import), about
# 0.4 ms of CPU a row each time, far more on a busy server: a larger file is imported
# with the command, whose time does not count against a request's.
MAX_PAGE_ROWS = 1000
STAGED_MAX_AGE = datetime.timedelta(days=1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staged_name(token: str) -> str:
    return f"imports/{token}.xlsx"


def _remove_abandoned(staging: Storage) -> None:
    """Files of previews never imported: removed after a day, whoever left them."""
    try:
        _, names = staging.listdir("imports")
    except FileNotFoundError:
        return
    limit = timezone.now() - STAGED_MAX_AGE
    for name in names:
        path = f"imports/{name}"
        try:
            if staging.get_modified_time(path) < limit:
                staging.delete(path)
        except FileNotFoundError:
            continue


def _context(result: ImportResult) -> dict[str, object]:
    return {
        "result": result,
        "rows": [
            (row, OUTCOME_LABELS[result.outcomes.get(row.line, ERROR)]) for row in result.rows
        ],
        "new": result.count(NEW),
        "present": result.count(PRESENT),
        "errors": result.count(ERROR),
    }


@editors_only
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_workbook(upload, upload.size)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if len(rows) > MAX_PAGE_ROWS:
                form.add_error(
                    "file",
                    f"この画面で読み込めるのは{MAX_PAGE_ROWS:,}行までです（{len(rows):,}行）。"
                    "ファイルを分けるか、管理者が python manage.py import_sochi で取り込んでください。",
                )
                return render(request, "imports/upload.html", context)
            result = run_import(rows, request.user, dry_run=True)
            context.update(_context(result))
            if result.ok and result.count(NEW):
                staging = storages["staging"]
                _remove_abandoned(staging)
                old = request.session.get(SESSION_KEY)
                if old:
                    staging.delete(_staged_name(old))
                token = secrets.token_urlsafe(16)
                upload.seek(0)
                staging.save(_staged_name(token), File(upload))
                request.session[SESSION_KEY] = token
                context["token"] = token
    return render(request, "imports/upload.html", context)


@editors_only
@require_POST
def import_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = request.session.get(SESSION_KEY)
    if not token or token != request.POST.get("token"):
        messages.error(request, "確認したファイルが見つかりません。もう一度読み込んでください。")
        return redirect("import_upload")
    staging = storages["staging"]
    name = _staged_name(token)
    try:
        with staging.open(name, "rb") as stream:
            rows = read_workbook(stream, staging.size(name))
    except (ImportFileError, OSError):
        messages.error(request, "確認したファイルが見つかりません。もう一度読み込んでください。")
        return redirect("import_upload")
    result = run_import(rows, request.user, dry_run=False)
    staging.delete(name)
    del request.session[SESSION_KEY]
    context = _context(result)
    context["form"] = ImportUploadForm()
    context["done"] = True
    return render(request, "imports/upload.html", context)


@editors_only
@require_safe
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        'attachment; filename="sochi-import-template.xlsx"; '
        "filename*=UTF-8''%E6%8E%AA%E7%BD%AE%E7%8A%B6%E6%B3%81_%E3%81%B2%E3%81%AA%E5%BD%A2.xlsx"
    )
    return response
