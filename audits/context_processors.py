from __future__ import annotations

from django.http import HttpRequest

from audits.roles import role_of


def current_role(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"current_role": role_of(user) if user is not None else None}
