from django.urls import path

from followup import views

urlpatterns = [
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_submit, name="review_submit"),
]
