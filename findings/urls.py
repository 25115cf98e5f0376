from django.urls import path

from findings import classes, views

urlpatterns = [
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/mine/", views.my_findings, name="my_findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    # 区分の設定: classes, sub-classes and audit kinds (findings/classes.py).
    path("classes/", classes.finding_classes, name="finding_classes"),
    path("classes/audit-kinds/new/", classes.audit_kind_add, name="audit_kind_add"),
    path("classes/kinds/new/", classes.finding_kind_add, name="finding_kind_add"),
    path(
        "classes/kinds/<int:kind>/subclasses/new/",
        classes.finding_subclass_add,
        name="finding_subclass_add",
    ),
]

# /classes/kinds/3/edit/ …, named finding_kind_edit, finding_kind_move, finding_kind_delete,
# audit_kind_edit … finding_subclass_delete.
CLASS_SEGMENTS = {
    "audit_kind": "audit-kinds",
    "finding_kind": "kinds",
    "finding_subclass": "subclasses",
}
CLASS_ACTIONS = {
    "edit": classes.class_edit,
    "move": classes.class_move,
    "delete": classes.class_delete,
}
urlpatterns += [
    path(f"classes/{segment}/<int:item>/{action}/", view, {"what": what}, name=f"{what}_{action}")
    for what, segment in CLASS_SEGMENTS.items()
    for action, view in CLASS_ACTIONS.items()
]
