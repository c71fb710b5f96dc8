"""eGov settings. Every value comes from the environment (EGOV_*); see README.md.

Nothing secret lives in the repository. Development and the demo set EGOV_DEBUG=1 or give a
secret key written under ./var/ by the run command.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent  # src/egov
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("EGOV_DEBUG", False)
TESTING = env_bool("EGOV_TESTING", False)
VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("EGOV_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789"
    else:
        raise ImproperlyConfigured(
            "EGOV_SECRET_KEY is not set. Set it (at least 50 random characters) or EGOV_DEBUG=1."
        )

ALLOWED_HOSTS = env_list("EGOV_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "egov.core",
    "egov.documents",
    "egov.signing",
    "egov.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

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
                "django.template.context_processors.i18n",
                "egov.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL, IMMEDIATE transactions so writers queue instead of failing) by default;
# PostgreSQL when EGOV_DATABASE_URL=postgres://... is set.
DATABASE_URL = os.environ.get("EGOV_DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("EGOV_SQLITE_PATH", str(VAR_DIR / "egov.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Authentication -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox"
LOGOUT_REDIRECT_URL = "login"
# Lockout: after this many consecutive failures the account is locked for the given minutes.
EGOV_LOGIN_MAX_FAILURES = env_int("EGOV_LOGIN_MAX_FAILURES", 5)
EGOV_LOGIN_LOCKOUT_MINUTES = env_int("EGOV_LOGIN_LOCKOUT_MINUTES", 15)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "egov_language"

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("EGOV_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("EGOV_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Largest upload accepted by the file service (bytes).
EGOV_MAX_UPLOAD_BYTES = env_int("EGOV_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# JSON from API clients (bodies and multipart `data` fields): largest size and deepest nesting.
EGOV_API_MAX_JSON_BYTES = env_int("EGOV_API_MAX_JSON_BYTES", 1024 * 1024)
EGOV_API_MAX_JSON_DEPTH = env_int("EGOV_API_MAX_JSON_DEPTH", 32)

# --- Security (production: EGOV_HTTPS=1 behind TLS) -----------------------------------------
EGOV_HTTPS = env_bool("EGOV_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = EGOV_HTTPS
CSRF_COOKIE_SECURE = EGOV_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("EGOV_SESSION_SECONDS", 8 * 3600)
SECURE_SSL_REDIRECT = EGOV_HTTPS and env_bool("EGOV_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if EGOV_HTTPS else None
SECURE_HSTS_SECONDS = env_int("EGOV_HSTS_SECONDS", 31536000) if EGOV_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = EGOV_HTTPS
SECURE_HSTS_PRELOAD = EGOV_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EGOV_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EGOV_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EGOV_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EGOV_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EGOV_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EGOV_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EGOV_EMAIL_TLS", False)
EMAIL_USE_SSL = env_bool("EGOV_EMAIL_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("EGOV_EMAIL_FROM", "eGov <no-reply@egov.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs (django-tasks backport + database backend) -----------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("EGOV_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail", "slow"],
    }
}

# --- Caches ---------------------------------------------------------------------------------
# The database cache is shared by every web process on every host (login lockout counters live
# there); the table is created by `egov createcachetable` (run by the setup scripts).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "egov_cache",
    }
}

# --- Public site ----------------------------------------------------------------------------
EGOV_SITE_URL = os.environ.get("EGOV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EGOV_SMS_GATEWAY = os.environ.get("EGOV_SMS_GATEWAY", "egov.core.sms.ConsoleSmsGateway")

# --- Digital signatures -----------------------------------------------------------------------
# RFC 3161 timestamp authority for PAdES B-T (none = B-B signatures); see egov.signing.timestamps.
EGOV_TSA_URL = os.environ.get("EGOV_TSA_URL", "")
EGOV_TSA_USER = os.environ.get("EGOV_TSA_USER", "")
EGOV_TSA_PASSWORD = os.environ.get("EGOV_TSA_PASSWORD", "")
EGOV_TSA_TIMEOUT = env_int("EGOV_TSA_TIMEOUT", 10)
# With a TSA: add the validation data (certificates, CRLs/OCSP) after each signature (PAdES
# B-LT); fetch CRLs/OCSP from the CAs only when the server may reach them.
EGOV_PADES_LT = env_bool("EGOV_PADES_LT", True)
EGOV_REVOCATION_FETCH = env_bool("EGOV_REVOCATION_FETCH", False)
# The local signing agent of the user's own USB token (`egov sign-agent`, docs/sign-agent.md) as
# the browser reaches it, and how long its single-use download/upload URLs live (seconds).
EGOV_SIGN_AGENT_URL = os.environ.get("EGOV_SIGN_AGENT_URL", "http://127.0.0.1:8987").rstrip("/")
EGOV_SIGN_SESSION_TTL = env_int("EGOV_SIGN_SESSION_TTL", 600)
# Public verification (egov.portal): requests per client IP, "<count>/<seconds>" — lookups by
# verification code (page and API; unknown codes count) and PDF uploads on the portal.
# Reverse proxies (their addresses) whose X-Forwarded-For names the real client, for the
# per-client limits above (egov.signing.ratelimit); none = REMOTE_ADDR only.
EGOV_TRUSTED_PROXIES = env_list("EGOV_TRUSTED_PROXIES")
EGOV_VERIFY_RATE_CODE = os.environ.get("EGOV_VERIFY_RATE_CODE", "30/600")
EGOV_VERIFY_RATE_UPLOAD = os.environ.get("EGOV_VERIFY_RATE_UPLOAD", "10/600")
# Extra trust anchors (PEM/DER files) besides the TrustAnchor rows; see egov.signing.trust.
EGOV_TRUST_ANCHORS_DIR = os.environ.get("EGOV_TRUST_ANCHORS_DIR", "")
EGOV_WORKDAY_CUTOFF = os.environ.get("EGOV_WORKDAY_CUTOFF", "15:00")
EGOV_OFFICE_OPENS = os.environ.get("EGOV_OFFICE_OPENS", "07:30")
EGOV_OFFICE_CLOSES = os.environ.get("EGOV_OFFICE_CLOSES", "17:00")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EGOV_LOG_LEVEL", "WARNING")},
    "loggers": {
        "egov": {"level": os.environ.get("EGOV_LOG_LEVEL", "INFO"), "handlers": ["console"],
                 "propagate": False},
    },
}
