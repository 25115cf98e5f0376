from django.urls import path

from reports import views

urlpatterns = [
    path("", views.report_preview, name="report_preview"),
    path("export.<str:fmt>/", views.report_export, name="report_export"),
    path("downloads/", views.download_list, name="download_list"),
    path("downloads/<int:pk>/", views.download_detail, name="download_detail"),
    path("downloads/<int:pk>/file/", views.download_file, name="download_file"),
    path("audits/<int:pk>/summary/", views.audit_summary, name="audit_summary"),
    path(
        "audits/<int:pk>/summary.<str:fmt>",
        views.audit_summary_export,
        name="audit_summary_export",
    ),
]
