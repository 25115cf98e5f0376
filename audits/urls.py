from django.urls import path

from audits import pages

urlpatterns = [
    path("audits/", pages.audit_list, name="audit_list"),
    path("audits/new/", pages.audit_create, name="audit_create"),
    path("audits/<int:pk>/", pages.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/edit/", pages.audit_edit, name="audit_edit"),
    path("audits/<int:pk>/sections/new/", pages.section_add, name="section_add"),
    path("audits/<int:pk>/key-risks/new/", pages.key_risk_add, name="key_risk_add"),
    path("audits/<int:pk>/viewpoints/new/", pages.viewpoint_add, name="viewpoint_add"),
]
