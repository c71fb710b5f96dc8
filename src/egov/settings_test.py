"""Settings for the test suite: the production settings with EGOV_TESTING=1."""

import os

os.environ.setdefault("EGOV_TESTING", "1")
os.environ.setdefault("EGOV_HTTPS", "0")
# Files the suite writes under VAR_DIR (e.g. the demo CA's encrypted key) stay out of ./var/.
os.environ.setdefault("EGOV_VAR_DIR", f"/tmp/egov-test-var-{os.getpid()}")

from .settings import *  # noqa: E402,F403

# Tests that need Argon2 itself override this; everything else hashes quickly.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# Tests keep mail in memory; a crash test's `egov worker` subprocess is pointed at the test's
# own SMTP server on loopback with EGOV_TEST_EMAIL_BACKEND (and EGOV_EMAIL_HOST/PORT).
EMAIL_BACKEND = os.environ.get("EGOV_TEST_EMAIL_BACKEND",
                               "django.core.mail.backends.locmem.EmailBackend")
MEDIA_ROOT = Path(os.environ.get("EGOV_TEST_MEDIA_ROOT", "/tmp/egov-test-media"))  # noqa: F405

# A file database (not SQLite's shared in-memory one): a second writer then waits on the lock
# (IMMEDIATE transactions, 30 s timeout) as in production instead of failing at once with
# "database table is locked". One file per pytest process.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path("/tmp") / f"egov-test-{os.getpid()}.sqlite3")  # noqa: F405
    }

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when missing

# Trust anchors are read from the database on every verification in tests (rows come and go
# with each test's transaction); production caches them briefly (egov.signing.trust).
EGOV_TRUST_ROOTS_CACHE_SECONDS = 0
