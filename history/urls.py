from django.urls import path

from history import views

urlpatterns = [
    path("log/", views.log_list, name="log_list"),
]
