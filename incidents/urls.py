from django.urls import path

from incidents import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/export.<str:fmt>/", views.incident_export, name="incident_export"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:pk>/measures/new/", views.measure_add, name="measure_add"),
    path("incidents/types/", views.incident_types, name="incident_types"),
    path("incidents/types/new/", views.incident_type_add, name="incident_type_add"),
    path("incidents/types/<int:item>/edit/", views.incident_type_edit, name="incident_type_edit"),
    path("incidents/types/<int:item>/move/", views.incident_type_move, name="incident_type_move"),
    path(
        "incidents/types/<int:item>/delete/",
        views.incident_type_delete,
        name="incident_type_delete",
    ),
]
