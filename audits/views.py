from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audits.dates import PURPOSES, DateParameterError, parse_date_text, understood_text
from audits.http import AuthenticatedHttpRequest
from audits.roles import Role, role_of
from audits.wareki import format_wareki

START_PAGES = {
    Role.ADMINISTRATOR: "audit_list",
    Role.AUDITOR: "audit_list",
    Role.DEPARTMENT_STAFF: "my_findings",
    Role.MANAGER: "dashboard",
    Role.AUDIT_COMMITTEE: "dashboard",
}


@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's start page. A user without a role gets an explanation, not a redirect
    (every page would send them back here)."""
    role = role_of(request.user)
    if role is None:
        return render(request, "home.html", {"role": None}, status=403)
    return redirect(START_PAGES[role])


@require_safe
def date_understand(request: AuthenticatedHttpRequest) -> JsonResponse:
    """What a date field's text reads as, for static/js/date-input.js: the same parser the
    forms use, so the browser never guesses. Any signed-in user (it reads no data).

    200 {"ok": true, "date": "2021-09-30", "wareki": "令和3年9月30日", "message": …};
    400 {"ok": false, "message": the field's own Japanese message} for text that is no
    date or a date outside the range; an empty text is 200 with an empty message."""
    text = request.GET.get("text", "")[:40]
    label = request.GET.get("label", "")[:20].strip() or "日付"
    purpose = request.GET.get("purpose", "entry")
    if purpose not in PURPOSES:
        purpose = "entry"
    japanese = {"ensure_ascii": False}
    if not text.strip():
        return JsonResponse({"ok": False, "message": ""}, json_dumps_params=japanese)
    try:
        day = parse_date_text(text, label)
    except DateParameterError as error:
        return JsonResponse(
            {"ok": False, "message": str(error)}, status=400, json_dumps_params=japanese
        )
    return JsonResponse(
        {
            "ok": True,
            "date": day.isoformat(),
            "wareki": format_wareki(day),
            "message": understood_text(day, purpose),
        },
        json_dumps_params=japanese,
    )
