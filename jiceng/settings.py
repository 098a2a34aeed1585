"""Django settings for jiceng.

Every server setting comes from an environment variable with a default that serves the
embedded demo (SQLite under var/). See docs/deploy.md for production values.
"""

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# The fallback key only exists so the demo starts with no configuration; production
# refuses to start without a real one (see the check at the end of this file).
INSECURE_DEMO_KEY = "jiceng-demo-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEMO_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "jiceng.accounts",
    "jiceng.jurisdictions",
    "jiceng.cases",
    "jiceng.dashboards",
    "jiceng.patrols",
    "jiceng.residents",
    "jiceng.open311",
    "jiceng.web",
    "jiceng.loadprobe",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "jiceng.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
# Django's renderer, with <select> written in Python (jiceng/lib/forms.py).
FORM_RENDERER = "jiceng.lib.forms.QuickSelectRenderer"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiceng.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# The intake's hot statements are prepared on PostgreSQL (jiceng/lib/fastsql.py); off
# behind a pooler that cannot keep prepared statements (PgBouncer transaction mode < 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock when two requests write at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Passwords as Django checks them, but an external system never signs in with one.
AUTHENTICATION_BACKENDS = ["jiceng.accounts.backends.AccountBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Front-end libraries come from the npm registry at install time (package.json);
# nothing third-party is committed. Each package's dist folder is served under its name
# (node_modules/leaflet/dist as /static/leaflet/, …).
NODE_MODULES = Path(os.environ.get("JICENG_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [
    (name, NODE_MODULES / name / "dist")
    for name in ("leaflet", "leaflet.markercluster", "leaflet.heat", "echarts")
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Production runs `jiceng collectstatic` and sets STATIC_MANIFEST=true for hashed,
# compressed files served by WhiteNoise; without it files are served from the finders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Background jobs (docs/jobs.md): with REDIS_URL set, notifications and the sweep go through
# Celery and Redis, and celery beat runs the sweep; empty (the embedded demo) runs jobs in
# the web process and `make run` runs `jiceng sweep --loop` next to the server.
# Indexes with INCLUDE columns (cases' queue and time-window indexes) are a PostgreSQL
# feature; SQLite builds them without the extra columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
REDIS_URL = os.environ.get("REDIS_URL", "")
# One cache for all server processes when Redis is there (rate limits, map layers);
# otherwise each process keeps its own in memory.
CACHES = {
    "default": (
        {"BACKEND": "jiceng.lib.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BROKER_URL = REDIS_URL
# No result backend: a job's effect is the rows it writes, never a return value read back.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# The queue jobs are sent to and the worker reads; the job tests use one of their own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "jiceng")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # The sweep is idempotent and catches up from stored deadlines, so a run that waited
    # longer than a minute (worker down) is dropped rather than piled up behind the next.
    "sweep": {"task": "jiceng.sweep", "schedule": 60.0, "options": {"expires": 55}},
    # Pending notifications are normally sent within JICENG_NUDGE_SECONDS of their commit;
    # this catches the ones whose nudge was lost (Redis down, a process killed).
    "notifications": {
        "task": "jiceng.run",
        "schedule": 30.0,
        "args": ("jiceng.cases.notify.deliver_pending",),
        "options": {"expires": 25},
    },
}
# Commits within this many seconds share one "deliver the pending notifications" message.
JICENG_NUDGE_SECONDS = float(os.environ.get("JICENG_NUDGE_SECONDS", "0.2"))

# Map: the tile URL is a setting. With no tiles reachable (an offline machine), the map
# still draws polygons on a blank background. An empty value disables tiles entirely.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")

# Case handling policy that is a server setting rather than data (docs/cases.md).
JICENG_REPORT_IN_MINUTES = int(os.environ.get("JICENG_REPORT_IN_MINUTES", "30"))
JICENG_REOPEN_WINDOW_DAYS = int(os.environ.get("JICENG_REOPEN_WINDOW_DAYS", "7"))
JICENG_MAX_PHOTO_BYTES = int(os.environ.get("JICENG_MAX_PHOTO_BYTES", str(10 * 1024 * 1024)))
JICENG_NOTIFICATION_CHANNELS = env_list(
    "JICENG_NOTIFICATION_CHANNELS",
    "jiceng.cases.notify.EmailChannel,jiceng.cases.notify.LoggingChannel",
)

# Where the shipped NBS division CSVs and district boundaries live (see DATA.md).
# Public case tracking (docs/residents.md): attempts per visitor address per window, and how
# many reverse proxies (nginx: 1) stand in front, so the visitor's own address is counted.
JICENG_TRACK_ATTEMPTS = int(os.environ.get("JICENG_TRACK_ATTEMPTS", "10"))
JICENG_TRACK_WINDOW_MINUTES = int(os.environ.get("JICENG_TRACK_WINDOW_MINUTES", "10"))
JICENG_TRUSTED_PROXIES = int(os.environ.get("JICENG_TRUSTED_PROXIES", "0"))
JICENG_DATA_DIR = PACKAGE_DIR / "data"
# The load probe (docs/load.md): POST /api/v1/bench/ping inserts one row, the ceiling the
# HTTP benchmark compares case intake with. Off (404) unless the benchmark turns it on.
JICENG_LOAD_PROBE = env_bool("JICENG_LOAD_PROBE")

# The open API (docs/api.md): Django REST framework under /api/v1/, OpenAPI 3 by
# drf-spectacular. One error format (jiceng.api.errors), cursor pagination, per-user
# tokens, external systems' keys and the session (with CSRF) for the browsable docs.
JICENG_API_RATE = os.environ.get("JICENG_API_RATE", "1200/min")  # per user or key
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jiceng.api.auth.TokenAuthentication",
        "jiceng.api.auth.ApiKeyAuthentication",
        "jiceng.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jiceng.api.permissions.ApiUser"],
    "DEFAULT_THROTTLE_CLASSES": ["jiceng.api.throttles.PerUserThrottle"],
    "DEFAULT_PAGINATION_CLASS": "jiceng.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "jiceng.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "jiceng 基层治理开放接口",
    "DESCRIPTION": "辖区、网格、部门、事项清单、事件全流程、吹哨报到与考核指标。见 docs/api.md。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseSourceEnum": "jiceng.cases.choices.Source",
        "JurisdictionKindEnum": "jiceng.jurisdictions.choices.Kind",
        "GridKindEnum": "jiceng.jurisdictions.choices.GridKind",
        "CategoryKindEnum": "jiceng.cases.choices.CategoryKind",
        "SatisfactionEnum": "jiceng.cases.choices.Satisfaction",
        "ScoreEnum": ["5", "4", "3", "2", "1"],  # 下考上 stars: speed, attitude, result
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if SECRET_KEY == INSECURE_DEMO_KEY and env_bool("JICENG_PRODUCTION"):
        raise RuntimeError("SECRET_KEY must be set when JICENG_PRODUCTION is true")
