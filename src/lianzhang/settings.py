"""Django settings, derived from `lianzhang.config` (the one place settings are declared)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from lianzhang.config import load_config

CONFIG = load_config()
PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
if not CONFIG.is_production:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "lianzhang.regions",
    "lianzhang.accounts",
    "lianzhang.enterprises",
    "lianzhang.plans",
    "lianzhang.scenarios",
    "lianzhang.evaluation",
    "lianzhang.chains",
    "lianzhang.reviews",
    "lianzhang.subsidies",
    "lianzhang.opendata",
    "lianzhang.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lianzhang.urls"
WSGI_APPLICATION = "lianzhang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lianzhang.web.context.platform",
            ],
            "builtins": ["lianzhang.enterprises.templatetags.lianzhang_format"],
        },
    },
]


def _database() -> dict:
    if CONFIG.database_url:
        return dj_database_url.parse(CONFIG.database_url, conn_max_age=60)
    CONFIG.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(CONFIG.data_dir / "lianzhang.sqlite3"),
        "OPTIONS": {
            # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
            # BEGIN so concurrent writers queue on the busy timeout instead of failing mid-transaction.
            "timeout": CONFIG.sqlite_timeout,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        "TEST": {"NAME": str(CONFIG.data_dir / "test-lianzhang.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = CONFIG.debug

# Uploaded files (progress-report attachments) live beside the database; they are served only through
# permission-checked views, never straight from MEDIA_URL.
MEDIA_ROOT = CONFIG.data_dir / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

MAX_UPLOAD_BYTES = CONFIG.max_upload_mb * 1024 * 1024
OPENDATA_MAX_UPLOAD_BYTES = CONFIG.opendata_max_upload_mb * 1024 * 1024
# Uploads bigger than this are refused by the import service before parsing; Django itself must let
# them through to that check instead of failing with a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
if CONFIG.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
