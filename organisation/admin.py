"""Read-only views for developers: the organisation changes through the 管理者's pages
(organisation/views.py) and their services, never here."""

from __future__ import annotations

from django.contrib import admin

from audits.admin import ReadOnlyAdmin
from organisation.models import DepartmentName, FindingTransfer, PersonnelChange, Reorganisation


@admin.register(DepartmentName)
class DepartmentNameAdmin(ReadOnlyAdmin[DepartmentName]):
    list_display = ["department", "name", "parent", "valid_from", "valid_to"]


@admin.register(Reorganisation)
class ReorganisationAdmin(ReadOnlyAdmin[Reorganisation]):
    list_display = ["effective_date", "kind", "state", "created_by"]
    list_filter = ["kind", "state"]


@admin.register(FindingTransfer)
class FindingTransferAdmin(ReadOnlyAdmin[FindingTransfer]):
    list_display = ["finding", "from_department", "to_department", "effective_date"]


@admin.register(PersonnelChange)
class PersonnelChangeAdmin(ReadOnlyAdmin[PersonnelChange]):
    list_display = ["effective_date", "user", "department", "role", "leaves", "applied_at"]
