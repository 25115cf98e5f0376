from django.urls import path

from audits import pages, report_pages, views

urlpatterns = [
    path("dates/understand/", views.date_understand, name="date_understand"),
    path("audits/", pages.audit_list, name="audit_list"),
    path("audits/new/", pages.audit_create, name="audit_create"),
    path("audits/<int:pk>/", pages.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/edit/", pages.audit_edit, name="audit_edit"),
    path("audits/<int:pk>/sections/new/", pages.section_add, name="section_add"),
    path("audits/<int:pk>/key-risks/new/", pages.key_risk_add, name="key_risk_add"),
    path("audits/<int:pk>/viewpoints/new/", pages.viewpoint_add, name="viewpoint_add"),
    path("audits/<int:pk>/systems/new/", pages.system_add, name="system_add"),
]

# Edit, reorder and delete one row of the audit's structure: /audits/1/sections/2/edit/ …
# named section_edit, section_move, section_delete, key_risk_edit … system_delete.
STRUCTURE_SEGMENTS = {
    "section": "sections",
    "key_risk": "key-risks",
    "viewpoint": "viewpoints",
    "system": "systems",
}
STRUCTURE_ACTIONS = {
    "edit": pages.structure_edit,
    "move": pages.structure_move,
    "delete": pages.structure_delete,
}
urlpatterns += [
    path(
        f"audits/<int:pk>/{segment}/<int:item>/{action}/",
        view,
        {"what": what},
        name=f"{what}_{action}",
    )
    for what, segment in STRUCTURE_SEGMENTS.items()
    for action, view in STRUCTURE_ACTIONS.items()
]

# 監査報告書の内容: the report's own texts and its three ordered lists.
urlpatterns += [
    path("audits/<int:pk>/report/", report_pages.report_content, name="audit_report_content"),
    path("audits/<int:pk>/report/schedule/new/", report_pages.schedule_add, name="schedule_add"),
    path(
        "audits/<int:pk>/report/comments/new/",
        report_pages.overall_comment_add,
        name="overall_comment_add",
    ),
    path(
        "audits/<int:pk>/report/commendations/new/",
        report_pages.commendation_add,
        name="commendation_add",
    ),
]
# /audits/1/report/schedule/2/edit/ … named schedule_edit, overall_comment_move …
REPORT_SEGMENTS = {
    "schedule": "schedule",
    "overall_comment": "comments",
    "commendation": "commendations",
}
REPORT_ACTIONS = {
    "edit": report_pages.report_row_edit,
    "move": report_pages.report_row_move,
    "delete": report_pages.report_row_delete,
}
urlpatterns += [
    path(
        f"audits/<int:pk>/report/{segment}/<int:item>/{action}/",
        view,
        {"what": what},
        name=f"{what}_{action}",
    )
    for what, segment in REPORT_SEGMENTS.items()
    for action, view in REPORT_ACTIONS.items()
]
