from __future__ import annotations

from django.contrib import admin

from audits.admin import ReadOnlyAdmin
from incidents.models import Incident, IncidentType, RegisterYear


@admin.register(IncidentType)
class IncidentTypeAdmin(ReadOnlyAdmin[IncidentType]):
    list_display = ["name", "sort_order"]


@admin.register(RegisterYear)
class RegisterYearAdmin(ReadOnlyAdmin[RegisterYear]):
    list_display = ["fiscal_year", "audit"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin[Incident]):
    list_display = ["fiscal_year", "number", "title", "incident_type", "department", "reported_on"]
    list_filter = ["fiscal_year", "incident_type"]
    search_fields = ["title", "summary", "cause"]
    list_select_related = ["incident_type", "department__parent"]
