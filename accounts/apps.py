from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: lockouts, the second factor, session limits and security headers."""

    name = "accounts"
    verbose_name = "ログインと認証"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import security_log
        from accounts.middleware import stamp_sign_in

        security_log.connect()
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
