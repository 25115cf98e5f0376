"""Recording a remediation entry and downloading evidence files."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import security_log
from audits.http import AuthenticatedHttpRequest
from findings.access import FindingAccess, get_finding_for_user
from findings.models import Finding
from findings.views import departments_prefetch, has_children
from remediation.access import get_evidence_for_user
from remediation.drafts import Draft, discard_draft, load_draft, save_draft
from remediation.forms import CHOOSE_FILES_AGAIN, EntryForm
from remediation.services import record_entry


def _finding_for_entry(request: AuthenticatedHttpRequest, pk: int) -> FindingAccess:
    queryset = (
        Finding.objects.select_related("kind", "viewpoint", "parent__viewpoint")
        .prefetch_related(departments_prefetch())
        .annotate(has_children=has_children())
    )
    # Http404 for anyone who may not see the finding (e.g. another department's staff).
    return get_finding_for_user(request.user, pk, queryset)


@require_http_methods(["GET", "POST"])
def entry_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Write → confirm → submit. A valid form shows exactly what will be sent (files
    staged, nothing recorded); only "提出する" on that page records the entry, which
    cannot be changed afterwards. "修正する" goes back to the form with the text kept."""
    access = _finding_for_entry(request, pk)
    finding = access.finding
    if not access.can_post_entry:
        # Managers see the finding but change nothing: 403 with an explanation, for GET
        # and POST alike.
        return render(request, "remediation/entry_forbidden.html", {"finding": finding}, status=403)
    if finding.has_sub_items:
        messages.info(request, "この項目は小項目（ア、イ …）ごとに措置を記録します。")
        return redirect("finding_detail", pk=finding.pk)
    action = request.POST.get("action", "")
    if request.method == "POST" and action in ("submit", "edit"):
        draft = load_draft(request.session, request.POST.get("token", ""), finding.pk)
        if draft is None:
            messages.error(
                request,
                "確認画面の有効期限が切れたか、既に提出済みです。もう一度入力してください。",
            )
            return redirect("entry_create", pk=finding.pk)
        if action == "edit":
            discard_draft(request.session, draft.token)
            return _form_page(
                request, finding, _form_from(draft, finding), files_lost=bool(draft.files)
            )
        return _submit(request, finding, draft)
    form = EntryForm(request.POST or None, request.FILES or None, finding=finding)
    if request.method == "POST" and form.is_valid():
        token = save_draft(
            request.session,
            finding_id=finding.pk,
            status=form.cleaned_data["status"],
            entry_date=form.cleaned_data["entry_date"],
            content=form.cleaned_data["content"].strip(),
            files=form.cleaned_data["evidence"],
        )
        draft = load_draft(request.session, token, finding.pk)
        return render(
            request, "remediation/entry_confirm.html", {"finding": finding, "draft": draft}
        )
    return _form_page(
        request, finding, form, files_lost=request.method == "POST" and form.had_files
    )


def _form_page(
    request: AuthenticatedHttpRequest, finding: Finding, form: EntryForm, *, files_lost: bool
) -> HttpResponse:
    return render(
        request,
        "remediation/entry_form.html",
        {
            "finding": finding,
            "form": form,
            "files_lost": files_lost,
            "choose_files_again": CHOOSE_FILES_AGAIN,
        },
    )


def _form_from(draft: Draft, finding: Finding) -> EntryForm:
    """The form again with what the draft held (files must be chosen again)."""
    initial = {"status": draft.status.pk, "entry_date": draft.entry_date, "content": draft.content}
    return EntryForm(initial=initial, finding=finding)


def _submit(request: AuthenticatedHttpRequest, finding: Finding, draft: Draft) -> HttpResponse:
    files = draft.checked_files()
    try:
        record_entry(
            finding,
            status=draft.status,
            entry_date=draft.entry_date,
            content=draft.content,
            user=request.user,
            files=files,
        )
    except ValidationError as error:
        form = _form_from(draft, finding)
        _add_service_errors(form, error)
        return _form_page(request, finding, form, files_lost=bool(draft.files))
    except PermissionDenied:
        return render(request, "remediation/entry_forbidden.html", {"finding": finding}, status=403)
    finally:
        for checked in files:
            checked.upload.close()
    discard_draft(request.session, draft.token)
    note = f"（証跡ファイル{len(files)}件）" if files else ""
    messages.success(
        request, f"措置の報告を提出しました{note}。監査委員事務局の審査を受けて受理されます。"
    )
    return redirect("finding_detail", pk=finding.pk)


def _add_service_errors(form: EntryForm, error: ValidationError) -> None:
    """Put the service's errors beside their fields; any other key goes to the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("ファイルが見つかりません。") from None
    # as_attachment + filename: Django writes filename*=UTF-8''… (RFC 5987) for
    # Japanese names and an ASCII fallback.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    security_log.evidence_downloaded(request.user, request, evidence)
    return response
