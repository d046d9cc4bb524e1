"""Django settings: SQLite by default, PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from shinchoku.env import envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SHINCHOKU_DATA_DIR", BASE_DIR.parent / "data"))

DEBUG = envbool("SHINCHOKU_DEBUG", "True")


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
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "shinchoku.orgs",
    "shinchoku.accounts",
    "shinchoku.plans",
    "shinchoku.rounds",
    "shinchoku.reports",
    "shinchoku.public",
    "shinchoku.backup",
    "shinchoku.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shinchoku.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shinchoku.accounts.middleware.LoginRequiredMiddleware",
    "shinchoku.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
        },
    },
]

WSGI_APPLICATION = "shinchoku.wsgi.application"

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

EMAIL_BACKEND = os.environ.get(
    "SHINCHOKU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "plans:list"
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
    },
}
# --- end of audit trail and logging ----------------------------------------------------------
