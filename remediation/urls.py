from django.urls import path

from remediation import views

urlpatterns = [
    path("findings/<int:pk>/entries/new/", views.entry_create, name="entry_create"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
