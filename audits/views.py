from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from audits.http import AuthenticatedHttpRequest
from audits.roles import Role, role_of

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
