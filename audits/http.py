"""The request type our views receive."""

from __future__ import annotations

from django.http import HttpRequest

from audits.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that LoginRequiredMiddleware let through: every view not marked
    login_not_required runs for a signed-in user, so request.user is our User."""

    user: User
