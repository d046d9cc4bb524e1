"""Django settings: SQLite by default, PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from shinchoku.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SHINCHOKU_DATA_DIR", BASE_DIR.parent / "data"))

# --- Security: debug is off unless asked for (`make run` sets SHINCHOKU_DEBUG=1) ---
DEBUG = envbool("SHINCHOKU_DEBUG", "False")


def _secret_key() -> str:
    """Use the configured key, or one generated once and kept in the data folder."""
    key = os.environ.get("SHINCHOKU_SECRET_KEY")
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("SHINCHOKU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("SHINCHOKU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",  # security: login lockout
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "csp",  # security: Content-Security-Policy (its system checks)
    "django_tasks",
    "django_tasks_db",
    "shinchoku.orgs",
    "shinchoku.accounts",
    "shinchoku.plans",
    "shinchoku.rounds",
    "shinchoku.reviews",
    "shinchoku.evaluations",
    "shinchoku.reports",
    "shinchoku.public",
    "shinchoku.backup",
    "shinchoku.audit",
    "shinchoku.jobs",
    "shinchoku.todo",
    "shinchoku.staff",
    "shinchoku.notify",
    "shinchoku.search",
    "shinchoku.businesses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # security: CSP header
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shinchoku.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shinchoku.accounts.middleware.LoginRequiredMiddleware",
    "shinchoku.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shinchoku.accounts.middleware.SessionTimeoutMiddleware",  # security: idle and maximum age
    "shinchoku.accounts.middleware.PasswordChangeRequiredMiddleware",  # security: initial password
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # security: login lockout (last, as axes asks)
]

ROOT_URLCONF = "shinchoku.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {% status_badge %} and the other partials of templates/components/ on every page.
            "builtins": ["shinchoku.components"],
        },
    },
]

# Every form field through templates/components/field.html (label, 必須, help, error), every
# {{ form }} through components/form.html (an error summary first).
FORM_RENDERER = "shinchoku.components.FormRenderer"

WSGI_APPLICATION = "shinchoku.wsgi.application"

if os.environ.get("DATABASE_URL"):
    # Persistent connections (docs/production.md): each worker thread keeps its connection for
    # SHINCHOKU_CONN_MAX_AGE seconds (0: one per request), checked before reuse so that a
    # restarted PostgreSQL costs one retried query, not an error page.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=envint("SHINCHOKU_CONN_MAX_AGE", "600", minimum=0),
            conn_health_checks=envbool("SHINCHOKU_CONN_HEALTH_CHECKS", "True"),
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SHINCHOKU_SQLITE", str(DATA_DIR / "shinchoku.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE avoids
                # "database is locked" upgrades inside transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security: password rules (docs/security.md) ---
# 12 characters: the password is the only factor, so it is a passphrase rather than a word.
PASSWORD_MIN_LENGTH = envint("SHINCHOKU_PASSWORD_MIN_LENGTH", "12", minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security: login lockout with django-axes (docs/security.md) ---
# Locked by user name alone: the staff of one office share one address behind the
# organization's router, so an address (or address + name) lock would either lock out the
# whole office or let guessing continue from other addresses. The cost, that anyone can lock
# a known name for the cool-off time, is bounded by the cool-off and the 管理者's unlock page.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend whose user load also reads the membership and the unread count (one query).
    "shinchoku.accounts.backends.MemberBackend",
]
AXES_FAILURE_LIMIT = envint("SHINCHOKU_LOGIN_FAILURE_LIMIT", "5", minimum=1)
_LOGIN_COOLOFF_MINUTES = envint("SHINCHOKU_LOGIN_COOLOFF_MINUTES", "30", minimum=0)
# 0 minutes: no automatic unlock, only a 管理者 or the operator unlocks.
AXES_COOLOFF_TIME = timedelta(minutes=_LOGIN_COOLOFF_MINUTES) if _LOGIN_COOLOFF_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address in the lockout; it guards set-ups that count per user agent or
# cookie. Ours sums every failure of the name whatever the address or agent, so it is silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "shinchoku.accounts.views.locked_out"
# Successful logins are not kept by axes (its access log has no retention period).
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("SHINCHOKU_STATIC_ROOT", DATA_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (docs/production.md): SHINCHOKU_STATIC_MANIFEST=1 after `shinchoku collectstatic`
# serves hashed, gzip/brotli-compressed files from STATIC_ROOT, cached by browsers for good
# (immutable); without it (development, tests) files come from the apps' folders, unhashed.
STATIC_MANIFEST = envbool("SHINCHOKU_STATIC_MANIFEST", "False")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Security: sessions, cookies, HTTPS (README "Production settings", docs/security.md) ---
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Secure cookies whenever DEBUG is off; SHINCHOKU_SECURE_COOKIES=0 only for a plain-HTTP trial.
SESSION_COOKIE_SECURE = envbool("SHINCHOKU_SECURE_COOKIES", "False" if DEBUG else "True")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SHINCHOKU_SECURE_SSL_REDIRECT", "False")
SECURE_HSTS_SECONDS = envint("SHINCHOKU_HSTS_SECONDS", "0", minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SHINCHOKU_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SHINCHOKU_HSTS_PRELOAD", "False")
if envbool("SHINCHOKU_SECURE_PROXY_SSL_HEADER", "False"):
    # Only behind a proxy that sets X-Forwarded-Proto itself and drops the client's.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A session ends after this idle time, and at the latest this long after the login
# (shinchoku.accounts.middleware.SessionTimeoutMiddleware), and when the browser closes.
SESSION_IDLE_MINUTES = envint("SHINCHOKU_SESSION_IDLE_MINUTES", "30", minimum=1)
SESSION_COOKIE_AGE = envint("SHINCHOKU_SESSION_MAX_HOURS", "10", minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Security: Content-Security-Policy (django-csp 4; docs/security.md) ---
# No inline script anywhere. Style attributes are allowed (style-src-attr) because two pages set a
# computed width or indent on an element; <style> elements and foreign style sheets are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- E-mail (docs/operations.md): SMTP settings from the environment; the console by default ---
EMAIL_BACKEND = os.environ.get(
    "SHINCHOKU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("SHINCHOKU_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("SHINCHOKU_EMAIL_PORT", "25", minimum=1)
EMAIL_HOST_USER = os.environ.get("SHINCHOKU_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHINCHOKU_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("SHINCHOKU_EMAIL_USE_TLS")
EMAIL_USE_SSL = envbool("SHINCHOKU_EMAIL_USE_SSL")
EMAIL_TIMEOUT = envint("SHINCHOKU_EMAIL_TIMEOUT", "30", minimum=1)
# With SHINCHOKU_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend, one file per mail.
EMAIL_FILE_PATH = os.environ.get("SHINCHOKU_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("SHINCHOKU_EMAIL_FROM", "shinchoku@localhost")
# The address links in e-mails start with (no request is at hand when a worker sends them).
SHINCHOKU_BASE_URL = os.environ.get("SHINCHOKU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Background work (docs/operations.md): Django's task framework on the database ---------
# `shinchoku worker` runs the tasks; `make run` starts one beside the web server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SHINCHOKU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "reports", "mail"],
    }
}
# Jobs run once a day by the worker at this local time (HH:MM, Asia/Tokyo): dotted paths of
# callables taking the day (datetime.date); each must be safe to run twice for the same day.
SHINCHOKU_DAILY_AT = os.environ.get("SHINCHOKU_DAILY_AT", "08:00")
SHINCHOKU_DAILY_JOBS: list[str] = [
    "shinchoku.staff.transfers.apply_due",  # 人事異動 dated today or earlier
    "shinchoku.notify.reminders.daily",  # deadline near / passed (issue 14)
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "todo:page"  # the to-do page (issue 14)
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Audit trail and logging (docs/audit.md) ------------------------------------------------
# Audit events are kept this many days, then `shinchoku audit-prune` deletes them. Five years:
# one plan period, so who logged in, was refused, or took which file can be answered until the
# plan's final evaluation; set the period your information-security policy asks for.
SHINCHOKU_AUDIT_RETENTION_DAYS = envint("SHINCHOKU_AUDIT_RETENTION_DAYS", "1825")
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR only).
SHINCHOKU_TRUSTED_PROXY_COUNT = envint("SHINCHOKU_TRUSTED_PROXY_COUNT", "0")
LOG_LEVEL = os.environ.get("SHINCHOKU_LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ValueError(
        f"SHINCHOKU_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}"
    )
if SHINCHOKU_AUDIT_RETENTION_DAYS < 1 or SHINCHOKU_TRUSTED_PROXY_COUNT < 0:
    raise ValueError(
        "SHINCHOKU_AUDIT_RETENTION_DAYS must be 1 or more, SHINCHOKU_TRUSTED_PROXY_COUNT 0 or more"
    )
# One line per record on stderr, as key=value pairs (shinchoku/audit/logfmt.py says why):
# django.request (4xx warnings, 5xx errors with the traceback), every audit event, the rest.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"logfmt": {"()": "shinchoku.audit.logfmt.KeyValueFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "logfmt",
        }
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "shinchoku": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        # axes says "BEGIN version …" at INFO on every start, also of each CLI command; its
        # lockouts are recorded by the audit trail, so only its warnings are wanted here.
        "axes": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
# --- end of audit trail and logging ----------------------------------------------------------

# --- Cache (issue 16): public pages, open data and reports until their plan changes ---------
# Local memory per process by default; Redis shared by every web server when REDIS_URL is set
# (Django's own RedisCache, which needs the `redis` package installed). Entries are reached
# through the plan's cache version (shinchoku.plans.cache_version), so nothing is ever deleted:
# an entry of an older version is simply no longer looked up and ages out.
SHINCHOKU_CACHE_SECONDS = envint("SHINCHOKU_CACHE_SECONDS", "86400", minimum=0)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shinchoku",
        "TIMEOUT": SHINCHOKU_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": envint("SHINCHOKU_CACHE_MAX_ENTRIES", "2000", minimum=1)},
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "TIMEOUT": SHINCHOKU_CACHE_SECONDS,
        "KEY_PREFIX": "shinchoku",
    }
    # A cache every web server shares: sessions are read from it (no query per page) and written
    # through to the database. Never with the per-process default, where a logout on one process
    # would leave the session cached in the others (docs/production.md "Sessions and logins").
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# --- end of cache ---------------------------------------------------------------------------
