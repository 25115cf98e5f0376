from django.urls import path

from imports import views

urlpatterns = [
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/apply/", views.import_apply, name="import_apply"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
]
