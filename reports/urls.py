from django.urls import path

from reports import views

urlpatterns = [
    path("", views.report_preview, name="report_preview"),
    path("export.<str:fmt>/", views.report_export, name="report_export"),
]
