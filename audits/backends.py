from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from audits.models import User


class UserWithDepartmentBackend(ModelBackend):
    """Django's model backend, loading the signed-in user together with their department
    and its 部局: every page's header shows them, which otherwise cost one or two queries
    per request."""

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User._default_manager.select_related("department__parent").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
