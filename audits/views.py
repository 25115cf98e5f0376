from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audits.roles import role_of


def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting page (the role pages arrive with the browser workflows)."""
    return render(request, "home.html", {"role": role_of(request.user)})
