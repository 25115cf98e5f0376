"""The one settings module. Everything deployment-specific comes from the environment."""

import datetime
from importlib.util import find_spec
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    database_from_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    evidence_storage_from_env,
    site_url_from_env,
)

# Lets class bases such as admin.ModelAdmin[Audit], which mypy needs, work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Django's debug pages (tracebacks, the URL list on a 404) instead of the app's own error
# pages; only with DEBUG on, for a developer. `make run` leaves them off for the demo.
DEBUG_PAGES = DEBUG and env_bool("DEBUG_PAGES", default=False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env_str("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set (comma separated) when DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "auditlog",
    "audits",
    "findings",
    "remediation",
    "followup",
    "reminders",
    "reports",
    "incidents",
    "inspections",
    "accounts",
    "backups",
    "history",
    "organisation",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who acts, from where, and whether through Django admin: read when a log row is written.
    "history.context.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the others, so that it sees the login view's response and can replace it
    # with the lockout page (django-axes documents this position).
    "axes.middleware.AxesMiddleware",
    # With DEBUG on, still the app's Japanese 403/404/500 pages unless DEBUG_PAGES=1.
    "config.error_pages.AppErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "audits.context_processors.current_role",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(BASE_DIR)}
VAR_DIR = BASE_DIR / "var"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The default SQLite file lives in var/, which a fresh checkout does not have.
    try:
        VAR_DIR.mkdir(exist_ok=True)
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot create {VAR_DIR} for the SQLite database ({error.strerror}): create it "
            "and make it writable, or set DATABASE_URL."
        ) from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "audits.User"
# Axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "audits.backends.UserWithDepartmentBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- sign-in: lockout (django-axes) -------------------------------------------------------
# Failures are counted per account and, separately, per address: either reaching the limit
# locks it. A lock ends after LOGIN_LOCKOUT_MINUTES, or at once when a 管理者 lifts it on
# the lockouts page; 0 minutes means only a 管理者 can lift it.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
_lockout_minutes = env_int("LOGIN_LOCKOUT_MINUTES", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_lockout_minutes) if _lockout_minutes else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.lockouts.username_for_lockout"
# Behind a reverse proxy the client address is in X-Forwarded-For; how many proxies to
# trust is the deployment's to say (0: use the connection's address).
_proxy_count = env_int("LOGIN_PROXY_COUNT", 0)
if _proxy_count:
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Our own log (accounts.security_log) records every attempt; Axes' access log would
# duplicate it.
AXES_DISABLE_ACCESS_LOG = True
# Locks are lifted on the app's page, which logs who lifted them; not in /admin/.
AXES_ENABLE_ADMIN = False

# --- sign-in: second factor (django-otp, TOTP + recovery codes) ----------------------------
# On in production; `make run` turns it off so the demo logins work without an app.
MFA_REQUIRED = env_bool("MFA_REQUIRED", default=True)
# 監査担当, 管理職, 管理者 and is_staff users always need it when MFA_REQUIRED is on; each
# authority decides for its 所管課担当 (who may always set one up themselves).
MFA_REQUIRED_FOR_DEPARTMENT_STAFF = env_bool("MFA_REQUIRED_FOR_DEPARTMENT_STAFF", default=False)
OTP_TOTP_ISSUER = "措置状況管理"
MFA_RECOVERY_CODE_COUNT = 10

# --- sessions -----------------------------------------------------------------------------
# Signed out after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# signing in whatever happens (accounts.middleware.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=env_int("SESSION_MAX_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# Shared PCs in a city hall: closing the browser ends the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files and evidence storage ------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
# Production serves `collectstatic` output through WhiteNoise: content-hashed names (cached
# for a year) and gzip/brotli copies. Development and tests read static/ directly.
STATIC_BACKEND = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
# The bundled Japanese fonts are several MB each: brotli at its best level takes minutes
# on them for a few percent, so they are served as they are (browsers cache them).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "br", "woff", "woff2"),
    *("otf", "ttf", "pdf"),
]
# Evidence files live outside the web root and are served only through a view that
# checks who may see the finding: a local folder, or S3-compatible object storage.
EVIDENCE_STORAGE = evidence_storage_from_env(BASE_DIR / "var" / "evidence")
_LOCAL_EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", default=str(BASE_DIR / "var" / "evidence")))
EVIDENCE_STAGING_ROOT = Path(
    env_str("EVIDENCE_STAGING_ROOT", default=str(_LOCAL_EVIDENCE_ROOT.parent / "staging"))
)
if str(EVIDENCE_STORAGE["BACKEND"]).startswith("storages.") and find_spec("boto3") is None:
    raise ImproperlyConfigured(
        "EVIDENCE_STORAGE=s3 needs boto3: pip install 'django-storages[s3]' (or '.[s3]')."
    )
if not DEBUG:
    # Under gunicorn WhiteNoise serves them, right after SecurityMiddleware (so HTTPS
    # redirects come first); runserver serves static/ itself in development.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# Report downloads of at least this many findings are made by the worker (reports.jobs) and
# picked up later under ダウンロード一覧; smaller ones are sent at once. A 200-finding PDF
# takes several seconds to lay out, an Excel of 20,000 or a CSV of 50,000 about as long.
EXPORT_IN_BACKGROUND_FROM = {
    "pdf": env_int("EXPORT_BACKGROUND_PDF", 200, minimum=1),
    "xlsx": env_int("EXPORT_BACKGROUND_XLSX", 20000, minimum=1),
    "table": env_int("EXPORT_BACKGROUND_XLSX", 20000, minimum=1),
    "csv": env_int("EXPORT_BACKGROUND_CSV", 50000, minimum=1),
}
# Files made in the background are deleted this many days after they were made (by the
# worker after each export, and by `manage.py delete_expired_exports` from cron).
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7, minimum=1)
EXPORT_ROOT = Path(env_str("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_BACKEND},
    "evidence": EVIDENCE_STORAGE,
    # Files of an entry waiting at its confirmation step (remediation.drafts): kept
    # until the entry is submitted or for a day at most. Always a local folder.
    # Report files made in the background (reports.jobs): a local folder, served only
    # through the owner's download view.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EXPORT_ROOT, "base_url": None},
    },
    "staging": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EVIDENCE_STAGING_ROOT, "base_url": None},
    },
}
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20, minimum=1) * 1024 * 1024
# The most printed text (characters, white space not counted) a PDF made in a web request
# may hold: layout takes about 1 s per 10,000 characters at worst (a long unbroken run;
# Japanese prose is faster, see bench/), so the default stays
# within GUNICORN_TIMEOUT; larger PDFs are made with `manage.py export_report`.
PDF_MAX_CHARS = env_int("PDF_MAX_CHARS", 500_000, minimum=1000)
# Office files are zip archives: refuse one that unpacks past this size or ratio.
EVIDENCE_ARCHIVE_MAX_BYTES = env_int("EVIDENCE_ARCHIVE_MAX_MB", 200, minimum=1) * 1024 * 1024
EVIDENCE_ARCHIVE_MAX_RATIO = env_int("EVIDENCE_ARCHIVE_MAX_RATIO", 100, minimum=2)
# ClamAV daemon for evidence uploads: a Unix socket path or tcp://host:port; unset = no scan.
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET", default="")
CLAMAV_TIMEOUT = env_int("CLAMAV_TIMEOUT", 30, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The audit log (操作記録, django-auditlog into history.LogEntry). Every model listed here
# has each create, change and delete logged with its fields before → after; the m2m
# fields listed are logged as added / removed objects. Foreign keys are logged by name
# as they read then (not by id), so the log says what a value was called at the time and
# reading it costs no query per value.
AUDITLOG_LOGENTRY_MODEL = "history.LogEntry"
# The library's own migrations would still create its (unused, swapped-out) log table,
# whose foreign key to users then blocks PostgreSQL from truncating them: none of its
# tables are wanted, so its migrations are switched off.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Raw saves are fixture loads (loaddata, a test database restored from its serialized
# copy): rows copied in as they were, not changes anyone made. Logging them would also
# create content types in the middle of such a load.
AUDITLOG_DISABLE_ON_RAW_SAVE = True
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "audits.Audit",
        "m2m_fields": ["kinds", "audited_departments", "auditors", "finding_kinds"],
    },
    "audits.Section",
    "audits.KeyRisk",
    "audits.Viewpoint",
    "audits.AuditedSystem",
    "audits.ScheduleItem",
    "audits.OverallComment",
    "audits.Commendation",
    "audits.Department",
    "audits.AuditKind",
    {
        "model": "audits.User",
        # A sign-in touches last_login: not a change anyone made. The password hash is
        # masked: the log says that it changed, never what it is.
        "exclude_fields": ["last_login"],
        "mask_fields": ["password"],
        "mask_callable": "history.models.hide_value",
        "m2m_fields": ["groups", "user_permissions"],
    },
    {"model": "auth.Group", "m2m_fields": ["permissions"]},
    # search_text is derived from other fields (findings.search), not a change anyone made.
    {"model": "findings.Finding", "m2m_fields": ["departments"], "exclude_fields": ["search_text"]},
    "findings.FindingViewpoint",
    "findings.FindingKind",
    "findings.FindingSubclass",
    "remediation.RemediationEntry",
    "remediation.Evidence",
    "remediation.RemediationStatus",
    "incidents.Incident",
    "incidents.IncidentType",
    "incidents.RegisterYear",
    # Self-inspection: the structure and each response's state; answers are many (a
    # round of 500 departments × 60 items) and their submission is one explicit line.
    "inspections.Checklist",
    "inspections.ChecklistCategory",
    "inspections.ChecklistItem",
    "inspections.AnswerOption",
    {"model": "inspections.InspectionRound", "m2m_fields": ["departments"]},
    "inspections.InspectionResponse",
    "inspections.ItemNote",
    "inspections.VisitInvestigation",
    "audits.Membership",
    {"model": "organisation.Reorganisation", "m2m_fields": ["sources", "targets"]},
    "organisation.DepartmentName",
    "organisation.FindingTransfer",
    "organisation.PersonnelChange",
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"

# --- response headers -----------------------------------------------------------------------
# No inline script or style anywhere: every script and stylesheet is a static file, and
# htmx is told not to inject its indicator style (the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# The browser features the app never uses, switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is sent only on requests that arrived over TLS (Django's SecurityMiddleware checks
# request.is_secure()), so it is safe to have on by default outside development.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# The header covers the app's own host name and its subdomains, not sibling hosts.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is for a public registrable domain submitted to the browsers' list; a city's
# internal host never is, so the deploy check's reminder about it is silenced unless on.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Production behind a TLS-terminating proxy ------------------------------------------
# The proxy (nginx, the city's load balancer) terminates HTTPS and forwards plain HTTP to
# gunicorn with X-Forwarded-Proto; only then may Django trust that header.
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The proxy's or monitor's health probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Mail (SMTP) -------------------------------------------------------------------------
# Without EMAIL_HOST, mail is written to the log (console) instead of being sent.
EMAIL_HOST = env_str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set only one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="sochi@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- reminder digests (reminders/); mail goes through the block above --------------------
# Links in mail are absolute: the address users reach the app at. Without SITE_URL, the
# development server with DEBUG, else https:// and the first ALLOWED_HOSTS name.
SITE_URL = site_url_from_env(DEBUG, ALLOWED_HOSTS)
# Staff are reminded of a round this many days before its deadline (and every day after).
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 3)

# --- background tasks (django-tasks, database backend) -------------------------------------
# Enqueued tasks wait in the database until `manage.py db_worker` runs them (`make run`
# starts one beside the web server). Tests switch to the immediate backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# /health/ calls the worker "stale" when a ready task has waited longer than this.
WORKER_STALE_MINUTES = env_int("WORKER_STALE_MINUTES", 10, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
