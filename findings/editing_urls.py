from django.urls import path

from findings import editing

urlpatterns = [
    path("audits/<int:audit_pk>/findings/new/", editing.finding_create, name="finding_create"),
    path("findings/<int:pk>/edit/", editing.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/delete/", editing.finding_delete, name="finding_delete"),
    path("findings/<int:pk>/move/", editing.finding_move, name="finding_move"),
]
