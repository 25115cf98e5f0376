from django.urls import path

from inspections import views

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist_detail"),
    path("checklists/<int:pk>/copy/", views.checklist_copy, name="checklist_copy"),
    path("checklists/<int:pk>/categories/new/", views.category_add, name="category_add"),
    path("checklists/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("checklists/<int:pk>/items/<int:item>/delete/", views.item_delete, name="item_delete"),
    path(
        "checklists/<int:pk>/categories/<int:category>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path("rounds/new/", views.inspection_round_create, name="inspection_round_create"),
    path("rounds/<int:pk>/", views.inspection_round_detail, name="inspection_round_detail"),
    path(
        "rounds/<int:pk>/departments/<int:department>/",
        views.response_form,
        name="response_form",
    ),
    path(
        "rounds/<int:pk>/departments/<int:department>/review/",
        views.response_review,
        name="response_review",
    ),
    path("rounds/<int:pk>/results/", views.inspection_results, name="inspection_results"),
    path(
        "rounds/<int:pk>/results.<str:fmt>",
        views.inspection_results_export,
        name="inspection_results_export",
    ),
    path("rounds/<int:pk>/items/<int:item>/note/", views.item_note, name="item_note"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
]
