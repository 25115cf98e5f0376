from django.urls import path

from accounts import views

urlpatterns = [
    path("mfa/", views.mfa_settings, name="mfa_settings"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("mfa/remove/", views.mfa_remove, name="mfa_remove"),
    path("mfa/reset/", views.mfa_reset, name="mfa_reset"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/unlock/", views.lockout_unlock, name="lockout_unlock"),
]
