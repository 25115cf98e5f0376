from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from audits.views import home
from config.health import health
from reports.dashboard import dashboard

urlpatterns = [
    path("", home, name="home"),
    path(
        "accounts/login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("accounts.urls")),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    # Each include is owned by one app; auditors' editing pages are kept apart from the
    # read/report pages so the two can change independently.
    path("", include("audits.urls")),
    path("", include("findings.urls")),
    path("", include("findings.editing_urls")),
    path("", include("remediation.urls")),
    path("", include("followup.urls")),
    path("", include("incidents.urls")),
    path("reports/", include("reports.urls")),
    path("inspections/", include("inspections.urls")),
    path("", include("history.urls")),
    path("", include("organisation.urls")),
    path("", include("imports.urls")),
    path("dashboard/", dashboard, name="dashboard"),
]

admin.site.site_header = "措置状況管理 管理画面"
admin.site.site_title = "措置状況管理"
admin.site.index_title = "データの確認と管理"
