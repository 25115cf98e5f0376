from django.urls import path

from findings import views

urlpatterns = [
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/mine/", views.my_findings, name="my_findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
]
