"""Settings of the django-helpdesk peer that the HTTP benchmark serves next to jiceng.

Our own minimal project around the helpdesk app (jiceng/bench/helpdesk.py runs it with
the Python of var/bench/helpdesk-venv; jiceng never imports it). The database and the
secret come from HELPDESK_BENCH_* variables that helpdesk.peer_env() writes; the rest is
what a production deployment of the helpdesk's JSON API would set, mirroring jiceng's
server: no debug, persistent connections, JSON in and out, token authentication.
"""

import os

ENV = os.environ

SECRET_KEY = ENV["HELPDESK_BENCH_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # the helpdesk builds e-mail links from the current Site
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_cleanup.apps.CleanupConfig",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def database() -> dict:
    """The peer's own database, on the same server (or disk) as the bench's jiceng one."""
    engine = ENV["HELPDESK_BENCH_DB_ENGINE"]
    config = {
        "ENGINE": engine,
        "NAME": ENV["HELPDESK_BENCH_DB_NAME"],
        "HOST": ENV.get("HELPDESK_BENCH_DB_HOST", ""),
        "PORT": ENV.get("HELPDESK_BENCH_DB_PORT", ""),
        "USER": ENV.get("HELPDESK_BENCH_DB_USER", ""),
        "PASSWORD": ENV.get("HELPDESK_BENCH_DB_PASSWORD", ""),
        "CONN_MAX_AGE": int(ENV.get("CONN_MAX_AGE", "600")),
    }
    if engine == "django.db.backends.sqlite3":
        # The same options as jiceng's SQLite, so concurrent writers wait, not fail.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"

# Nothing leaves the machine: no submitter e-mail is sent by the benchmark's tickets, and
# should one be, it goes nowhere.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

REST_FRAMEWORK = {
    # A token looked up per request, as jiceng's `Authorization: Token …` is (basic auth
    # would hash a password on every request and measure the hasher, not the helpdesk).
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # teams need pinax-teams, which the peer leaves out

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
