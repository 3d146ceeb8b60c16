"""One settings module, driven by environment variables (see README "Configuration")."""

import os
import secrets
from pathlib import Path

import dj_database_url

from tenure.messaging.email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
TENURE_HOME = Path(os.environ.get("TENURE_HOME", BASE_DIR / "var")).resolve()
LAKE_DIR = TENURE_HOME / "lake"
LOG_DIR = TENURE_HOME / "logs"
REPORT_DIR = TENURE_HOME / "import-reports"
for _dir in (TENURE_HOME, LAKE_DIR, LOG_DIR, REPORT_DIR):
    _dir.mkdir(parents=True, exist_ok=True)
# The import ledger a lake partition counts by: (business date, source digest) of a table's committed
# imports (tenure/lake/paths.py names no app; the ledger is ingest's ImportedFile table).
LAKE_LEDGER = "tenure.ingest.selectors.imported_digests"


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use TENURE_SECRET_KEY, else a random key kept (0600) under TENURE_HOME."""
    if os.environ.get("TENURE_SECRET_KEY"):
        return os.environ["TENURE_SECRET_KEY"]
    path = TENURE_HOME / "secret.key"
    if not path.exists():
        # Write aside, then link into place: exclusive and atomic when processes race.
        tmp = path.with_name(f".secret.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TENURE_DEBUG", False)
DEMO_MODE = _env_bool("TENURE_DEMO", False)
ALLOWED_HOSTS = [h for h in os.environ.get("TENURE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "tenure.core",
    "tenure.org",
    "tenure.customers",
    "tenure.contacts",
    "tenure.ingest",
    "tenure.analytics",
    "tenure.churn",
    "tenure.retention",
    "tenure.loyalty",
    "tenure.complaints",
    "tenure.surveys",
    "tenure.points",
    "tenure.engagement",
    "tenure.messaging",
    "tenure.performance",
    "tenure.queues",
    "tenure.offers",
    "tenure.web",
    "tenure.ops",
    "tenure.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tenure.web.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenure.web.middleware.SessionLimitsMiddleware",
    "tenure.web.middleware.PasswordChangeRequiredMiddleware",
    "tenure.web.middleware.UserLanguageMiddleware",
    "tenure.web.middleware.NoStoreMiddleware",
    # Last, as django-axes requires: turns a lock-out into its clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tenure.urls"
WSGI_APPLICATION = "tenure.wsgi.application"
AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out users and IPs before the password check
    "tenure.org.auth.StaffBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenure.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{TENURE_HOME / 'tenure.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web app read while an import or the nightly run writes. A 128 MB page cache
    # (an upper bound, filled only as pages are read): a million-row bulk upsert overflowed the
    # default 2 MB (972k churn scores: 12-16 s -> 8-9 s on the same machine).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Page aggregates kept per data version (tenure/analytics/cache.py), in each server process: keys
# are scope × filters × language, so the default 300 entries were culled by a morning's pages and
# a million-customer aggregate computed again (seconds).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # A bank's policy: at least 12 characters ("Bank@12345" passes the other three validators).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("TENURE_PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tenure" / "locale"]
FORMAT_MODULE_PATH = ["tenure.formats"]  # zh-hans counts grouped by thousands
TIME_ZONE = os.environ.get("TENURE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = TENURE_HOME / "static"

# --- Security (docs/security.md). Production: TENURE_HTTPS=1 behind TLS, see "Configuration". ---
# Lock-out: after AXES_FAILURE_LIMIT failures of one username from one client IP (the pair), that
# username is locked at that IP for one hour (failures during the lock-out restart the hour). By the
# pair, so that one person behind a branch's shared address cannot lock out the whole branch, nor
# lock a colleague out from every computer by typing their name.
AXES_FAILURE_LIMIT = int(os.environ.get("TENURE_LOGIN_FAILURE_LIMIT", 10))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "tenure.core.http.client_ip"
# Number of reverse proxies in front of gunicorn whose X-Forwarded-For entries are trusted (0: none).
TENURE_PROXY_COUNT = int(os.environ.get("TENURE_PROXY_COUNT", 0))

# Sessions: 30 minutes idle (the cookie is renewed by every request), 12 hours absolute from log-in.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

HTTPS = _env_bool("TENURE_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("TENURE_HSTS_SECONDS", 31536000)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and _env_bool("TENURE_HSTS_PRELOAD", True)
if os.environ.get("TENURE_TRUSTED_PROXY_HEADER"):  # e.g. HTTP_X_FORWARDED_PROTO when TLS ends at a proxy
    SECURE_PROXY_SSL_HEADER = (os.environ["TENURE_TRUSTED_PROXY_HEADER"], "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TENURE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Content-Security-Policy: scripts and styles only from our own static files; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# API tokens are valid this many days from when `tenure tokens create` made them.
API_TOKEN_DAYS = int(os.environ.get("TENURE_API_TOKEN_DAYS", 90))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: its `WWW-Authenticate` makes a refused token (expired, unknown) a 401, as
        # clients expect, rather than the 403 the session's lack of one gives.
        "tenure.api.auth.ExpiringTokenAuthentication",  # DRF's token, expiring (docs/security.md)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tenure.api.pagination.PageSizePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tenure.web.denied.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tenure API",
    "DESCRIPTION": (
        "Customers, accounts, holdings, tiers and upgrade potential, churn, complaints, surveys and the audit "
        "log, scoped to the caller's branch subtree and masked."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields sharing a choice set (tier now and before, level in the bank and in the branch) share one enum.
    "ENUM_NAME_OVERRIDES": {
        "AssetTierEnum": "tenure.analytics.models.AssetTier",
        "ValueLevelEnum": "tenure.analytics.models.ValueLevel",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tenure.api.schema.document_error_responses",
    ],
}

# Field encryption: TENURE_FIELD_KEY (base64, 32 bytes) or a 0600 key file under TENURE_HOME.
FIELD_KEY_FILE = TENURE_HOME / "keys" / "field.key"
# One batch run (daily, nightly, points earn, demo) at a time per home: tenure/core/runlock.py.
RUN_LOCK_FILE = TENURE_HOME / "run.lock"

# --- Customer messages (docs/messaging.md). Without a provider they are written under TENURE_HOME/outbox/. ---
MESSAGING_OUTBOX_DIR = TENURE_HOME / "outbox"
MESSAGING_TIMEOUT = float(os.environ.get("TENURE_MESSAGING_TIMEOUT", 10))  # seconds, per provider request
globals().update(
    email_settings(
        os.environ.get("TENURE_EMAIL_URL", f"file://{MESSAGING_OUTBOX_DIR / 'email'}"), timeout=MESSAGING_TIMEOUT
    )
)
DEFAULT_FROM_EMAIL = os.environ.get("TENURE_EMAIL_FROM", "noreply@bank.example")
MESSAGING_SMS_URL = os.environ.get("TENURE_SMS_URL", f"file://{MESSAGING_OUTBOX_DIR / 'sms'}")
MESSAGING_PUSH_URL = os.environ.get("TENURE_PUSH_URL", f"file://{MESSAGING_OUTBOX_DIR / 'push'}")
# Where customers reach the public pages (the unsubscribe link in messages).
MESSAGING_PUBLIC_URL = os.environ.get("TENURE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# HMAC-SHA256 key of the gateway callbacks (receipts, SMS replies); empty: the callbacks refuse all.
MESSAGING_CALLBACK_SECRET = os.environ.get("TENURE_MESSAGING_CALLBACK_SECRET", "")
MESSAGING_QUIET_HOURS = os.environ.get("TENURE_MESSAGING_QUIET_HOURS", "21:00-08:00")  # bank time zone
MESSAGING_MARKETING_CAP = int(os.environ.get("TENURE_MESSAGING_MARKETING_CAP", 2))  # per customer ...
MESSAGING_MARKETING_CAP_DAYS = int(os.environ.get("TENURE_MESSAGING_MARKETING_CAP_DAYS", 7))  # ... per N days
MESSAGING_DUPLICATE_HOURS = int(os.environ.get("TENURE_MESSAGING_DUPLICATE_HOURS", 24))  # same template, customer
# Messages per second per channel, over every sender (one sender runs at a time: the run lock).
MESSAGING_RATE = {
    "email": float(os.environ.get("TENURE_MESSAGING_RATE_EMAIL", 20)),
    "sms": float(os.environ.get("TENURE_MESSAGING_RATE_SMS", 50)),
    "push": float(os.environ.get("TENURE_MESSAGING_RATE_PUSH", 100)),
}
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("TENURE_MESSAGING_MAX_ATTEMPTS", 6))
MESSAGING_RETRY_SECONDS = int(os.environ.get("TENURE_MESSAGING_RETRY_SECONDS", 60))  # doubles per attempt
MESSAGING_UNSUBSCRIBE_LIMIT = int(os.environ.get("TENURE_MESSAGING_UNSUBSCRIBE_LIMIT", 20))  # per IP ...
MESSAGING_UNSUBSCRIBE_WINDOW = int(os.environ.get("TENURE_MESSAGING_UNSUBSCRIBE_WINDOW", 3600))  # ... seconds

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "tenure.core.masking.MaskingLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "file": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(LOG_DIR / "tenure.log"),
            "formatter": "plain",
            "filters": ["mask_pii"],
        },
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_pii"]},
    },
    "root": {"handlers": ["file"], "level": "INFO"},
    "loggers": {
        "django.request": {"handlers": ["file"], "level": "WARNING", "propagate": False},
    },
}
