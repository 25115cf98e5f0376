"""Second-factor devices stay out of /admin/: their pages would show every user's TOTP
secret and delete devices without a record. A 管理者 resets a lost second factor on the
app's ログインの管理 page instead, which logs who did it."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
