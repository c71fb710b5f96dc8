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

# The secret key: EGOV_SECRET_KEY, else the file VAR_DIR/secret_key (written by `make run`, so
# every `uv run egov …` in that checkout finds it without setting anything).
SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = os.environ.get("EGOV_SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789"
    else:
        raise ImproperlyConfigured(
            f"EGOV_SECRET_KEY is not set and {SECRET_KEY_FILE} does not exist. Set it (at least "
            "50 random characters), run `make run` once (it writes that file), or EGOV_DEBUG=1."
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
    "egov.core.apps_tasks.TasksDatabaseConfig",  # django_tasks_db, with a translated name
    "egov.core",
    # In layer order (docs/architecture.md): core, signing, the modules, portal.
    "egov.signing",
    "egov.documents",
    "egov.onestop",
    "egov.petitions",
    "egov.directives",
    "egov.civil",
    "egov.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    "egov.core.middleware.ContentSecurityPolicyMiddleware",
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
# Failed sign-ins per client address (all usernames) before 429; see egov.core.auth.
EGOV_LOGIN_RATE_ADDRESS = os.environ.get("EGOV_LOGIN_RATE_ADDRESS", "20/900")
# An account's lock does not apply where it signed in successfully in the last N days.
EGOV_LOGIN_KNOWN_DAYS = env_int("EGOV_LOGIN_KNOWN_DAYS", 30)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# locale_django: Vietnamese for the strings Django's own vi catalogue lacks (the admin).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
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
# SMTP when EGOV_EMAIL_HOST is set; otherwise every message is written as a file under
# VAR_DIR/mail/ (./var/mail/ for the demo), one .log file per connection, readable as text.
EMAIL_BACKEND = os.environ.get(
    "EGOV_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EGOV_EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(os.environ.get("EGOV_EMAIL_FILE_PATH", VAR_DIR / "mail"))
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
        # default: interactive jobs · mail: e-mail · slow: LibreOffice conversions ·
        # cpu: CPU-heavy jobs (batch signing, exports, PDF text extraction), which `egov serve`
        # gives a worker of their own so they never delay mail and interactive jobs.
        "QUEUES": ["default", "mail", "slow", "cpu"],
    }
}
# Crash safety (egov.core.jobs): each worker beats every HEARTBEAT seconds; the running jobs of
# a worker silent for STALE seconds are run again, and fail ("worker died") after MAX_ATTEMPTS.
EGOV_JOB_HEARTBEAT_SECONDS = float(os.environ.get("EGOV_JOB_HEARTBEAT_SECONDS", "10"))
EGOV_JOB_STALE_SECONDS = float(os.environ.get("EGOV_JOB_STALE_SECONDS", "60"))
EGOV_JOB_MAX_ATTEMPTS = env_int("EGOV_JOB_MAX_ATTEMPTS", 3)
# Test-only: a pause between two steps of a long job, so a crash test can kill a worker mid-job.
EGOV_JOB_STEP_DELAY = float(os.environ.get("EGOV_JOB_STEP_DELAY", "0"))
# PDF text extraction (search): pdftotext stops after these pages, seconds and bytes of text.
EGOV_TEXT_MAX_PAGES = env_int("EGOV_TEXT_MAX_PAGES", 500)
EGOV_TEXT_TIMEOUT_SECONDS = env_int("EGOV_TEXT_TIMEOUT_SECONDS", 10)
EGOV_TEXT_MAX_OUTPUT_BYTES = env_int("EGOV_TEXT_MAX_OUTPUT_BYTES", 2 * 1024 * 1024)

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
# The outbox (egov.core.outbox): attempts before a message ends failed, and the backoff.
EGOV_OUTBOX_MAX_ATTEMPTS = env_int("EGOV_OUTBOX_MAX_ATTEMPTS", 8)
EGOV_OUTBOX_BACKOFF_SECONDS = env_int("EGOV_OUTBOX_BACKOFF_SECONDS", 60)
# SQLite only: how long a message (or national-portal change) taken by a worker is hidden from
# the others; a worker killed during the send leaves it to be sent again after this.
EGOV_OUTBOX_LEASE_SECONDS = float(os.environ.get("EGOV_OUTBOX_LEASE_SECONDS", "300"))
# How often each worker's periodic pass looks for due messages and portal changes (seconds).
EGOV_SWEEP_SECONDS = float(os.environ.get("EGOV_SWEEP_SECONDS", "30"))
# The national public-service portal (egov.onestop.national): the plugin (dotted path; the
# logging double by default, egov.onestop.national.HttpNationalPortal for the real one), its URL,
# bearer token and timeout in seconds.
EGOV_NATIONAL_PORTAL = os.environ.get("EGOV_NATIONAL_PORTAL",
                                      "egov.onestop.national.LoggingNationalPortal")
EGOV_NATIONAL_PORTAL_URL = os.environ.get("EGOV_NATIONAL_PORTAL_URL", "")
EGOV_NATIONAL_PORTAL_TOKEN = os.environ.get("EGOV_NATIONAL_PORTAL_TOKEN", "")
EGOV_NATIONAL_PORTAL_TIMEOUT = env_int("EGOV_NATIONAL_PORTAL_TIMEOUT", 10)
# Directives (egov.directives, docs/operations.md "Directives: reminders and upward sync"):
# reminders N working days before a deadline (comma-separated), escalation of an unanswered
# reminder to the unit head after so many working days (and to the giver after twice as many),
# the local time from which the workers' periodic pass runs the day's reminders, and how often
# it looks (seconds; 0 = never: cron runs `egov directives_daily`).
EGOV_DIRECTIVES_REMIND_DAYS = os.environ.get("EGOV_DIRECTIVES_REMIND_DAYS", "7,3,1")
EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS = env_int("EGOV_DIRECTIVES_ESCALATE_AFTER_DAYS", 2)
EGOV_DIRECTIVES_REMIND_AT = os.environ.get("EGOV_DIRECTIVES_REMIND_AT", "07:00")
EGOV_DIRECTIVES_DAILY_SECONDS = float(os.environ.get("EGOV_DIRECTIVES_DAILY_SECONDS", "900"))
# The upward sync of directives: request timeout (seconds) and the retry backoff (base × 2^n
# with jitter, capped; a failing endpoint is waited out, never given up).
EGOV_DIRECTIVES_SYNC_TIMEOUT = float(os.environ.get("EGOV_DIRECTIVES_SYNC_TIMEOUT", "10"))
EGOV_DIRECTIVES_SYNC_BACKOFF_SECONDS = env_int("EGOV_DIRECTIVES_SYNC_BACKOFF_SECONDS", 30)
EGOV_DIRECTIVES_SYNC_BACKOFF_MAX_SECONDS = env_int("EGOV_DIRECTIVES_SYNC_BACKOFF_MAX_SECONDS",
                                                   3600)

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
# More origins the pages' scripts may fetch from (Content-Security-Policy connect-src), besides
# our own and EGOV_SIGN_AGENT_URL: space-separated.
EGOV_CSP_CONNECT_SRC = os.environ.get("EGOV_CSP_CONNECT_SRC", "").split()
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

# --- Audit trail (egov.core.audit, docs/operations.md "Audit trail") -------------------------
# The chain's HMAC key, kept outside the database: EGOV_AUDIT_KEY (32+ characters, the same on
# every web and worker host), else the file EGOV_AUDIT_KEY_FILE (created 0600 on first need).
EGOV_AUDIT_KEY = os.environ.get("EGOV_AUDIT_KEY", "")
if not EGOV_AUDIT_KEY and TESTING:
    EGOV_AUDIT_KEY = "insecure-audit-key-only-for-the-test-suite-0123456789"
EGOV_AUDIT_KEY_FILE = os.environ.get("EGOV_AUDIT_KEY_FILE", str(VAR_DIR / "audit_key"))
# Checkpoints of the chain head, outside the database: the store (a class with the interface of
# egov.core.audit_checkpoints.CheckpointStore), its directory, and how often audit_log writes
# one while events arrive (seconds; 0 = only `egov audit checkpoint`). With EGOV_TSA_URL set,
# each checkpoint carries an RFC 3161 timestamp.
EGOV_AUDIT_CHECKPOINT_STORE = os.environ.get(
    "EGOV_AUDIT_CHECKPOINT_STORE", "egov.core.audit_checkpoints.FileCheckpointStore")
EGOV_AUDIT_CHECKPOINT_DIR = os.environ.get(
    "EGOV_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints"))
EGOV_AUDIT_CHECKPOINT_SECONDS = env_int("EGOV_AUDIT_CHECKPOINT_SECONDS", 0 if TESTING else 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("EGOV_LOG_LEVEL", "WARNING")},
    "loggers": {
        "egov": {"level": os.environ.get("EGOV_LOG_LEVEL", "INFO"), "handlers": ["console"],
                 "propagate": False},
        # pyHanko warns when float rounding makes a fitted seal image 1e-14 pt wider than its
        # box ("Content box width/height 102.00000000000001 is too wide…"): noise, not a fault.
        "pyhanko.pdf_utils.layout": {"level": "ERROR"},
    },
}
