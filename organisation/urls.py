from django.urls import path

from organisation import views

urlpatterns = [
    path("org/departments/", views.department_tree, name="department_tree"),
    path("org/departments/new/", views.department_create, name="department_create"),
    path("org/departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("org/departments/<int:pk>/retire/", views.department_retire, name="department_retire"),
    path(
        "org/departments/<int:pk>/handover/",
        views.department_handover,
        name="department_handover",
    ),
    path("org/reorganisations/", views.reorganisation_list, name="reorganisation_list"),
    path("org/reorganisations/new/", views.reorganisation_create, name="reorganisation_create"),
    path(
        "org/reorganisations/<int:pk>/", views.reorganisation_detail, name="reorganisation_detail"
    ),
    path(
        "org/reorganisations/<int:pk>/apply/",
        views.reorganisation_apply,
        name="reorganisation_apply",
    ),
    path(
        "org/reorganisations/<int:pk>/cancel/",
        views.reorganisation_cancel,
        name="reorganisation_cancel",
    ),
    path("org/people/", views.person_list, name="person_list"),
    path("org/people/new/", views.person_create, name="person_create"),
    path("org/people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("org/people/<int:pk>/password/", views.person_password, name="person_password"),
    path("org/people/<int:pk>/active/", views.person_active, name="person_active"),
    path("org/transfers/", views.transfer_upload, name="transfer_upload"),
    path("org/transfers/apply/", views.transfer_apply, name="transfer_apply"),
    path("org/transfers/template.xlsx", views.transfer_template, name="transfer_template"),
]
