"""Spielraum settings: one module, configured from the environment (see README, "Configuration").

No variables set gives the embedded default for a laptop: SQLite, background jobs in a thread of
the web process, the in-memory channel layer, DEBUG on and a generated development secret.
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to Celery workers on Redis, the Redis
channel layer and the Redis cache. ``SPIELRAUM_MODE=production`` turns on the hardening that
``manage.py check --deploy`` asks for and requires a real ``SECRET_KEY``.
"""

import secrets
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SPIELRAUM_VAR_DIR", str(BASE_DIR / "var")))

MODE = env_choice("SPIELRAUM_MODE", "development", ("development", "production", "test"))
PRODUCTION = MODE == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when SPIELRAUM_MODE=production.")
    # A fresh random key per process is fine for development: sessions simply do not survive restarts
    # of a laptop server, and no default secret can leak into a deployment.
    SECRET_KEY = "dev-" + secrets.token_urlsafe(48)

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "channels",
    "core",
    "finance",
    "stakeholders",
    "swot",
    "planning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.GermanFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.BadInputMiddleware",
    "core.error_pages.FriendlyNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.navigation",
                "django.template.context_processors.csp",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A connection pool per process (psycopg_pool), not persistent connections: under ASGI every
        # request's sync code runs in a fresh thread, so thread-bound persistent connections would pile
        # up until PostgreSQL refuses new clients. DB_POOL_MAX_SIZE=0 opens one connection per request.
        pool_max = env_int("DB_POOL_MAX_SIZE", 10, minimum=0)
        if pool_max:
            DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
                "min_size": 1,
                "max_size": pool_max,
                "timeout": env_int("DB_POOL_TIMEOUT", 20, minimum=1),  # seconds a request waits for one
            }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "spielraum.sqlite3",
            # WAL and IMMEDIATE transactions let the in-process job thread write progress while
            # requests read, without "database is locked" errors.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery, channel layer, cache -----------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
TASK_MODE = env_choice(
    "SPIELRAUM_TASK_MODE", "celery" if REDIS_URL else "thread", ("celery", "thread", "eager")
)
if TASK_MODE == "celery" and not REDIS_URL:
    raise ImproperlyConfigured("SPIELRAUM_TASK_MODE=celery needs REDIS_URL.")

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # results live in core.Job rows, not in Celery's backend
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = TASK_MODE == "eager"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An unacknowledged message (its worker died) is redelivered after this many seconds; it must be
# longer than the longest job's hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 7200, minimum=5)
}
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {"task": "core.fail_stale_jobs", "schedule": 300.0},
}
# A running job's worker writes a heartbeat every JOB_HEARTBEAT_INTERVAL seconds (a thread beside the job,
# whatever the job does); a job without one for JOB_HEARTBEAT_TIMEOUT seconds lost its worker and is failed
# by every worker's periodic sweep, by beat, and when its state is read (docs/security.md, "Jobs").
JOB_HEARTBEAT_INTERVAL = env_int("JOB_HEARTBEAT_INTERVAL", 15, minimum=1)
JOB_HEARTBEAT_TIMEOUT = env_int("JOB_HEARTBEAT_TIMEOUT", 120, minimum=10)
if JOB_HEARTBEAT_TIMEOUT < 3 * JOB_HEARTBEAT_INTERVAL:
    raise ImproperlyConfigured("JOB_HEARTBEAT_TIMEOUT must be at least 3 x JOB_HEARTBEAT_INTERVAL.")
JOB_SWEEP_INTERVAL = env_int("JOB_SWEEP_INTERVAL", 60, minimum=5)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3, minimum=1)

if REDIS_URL:
    # Pub/sub layer: a group message is one PUBLISH, fanned out in memory by each server process (the
    # list-based RedisChannelLayer costs three round trips per member and message). At most once, like
    # every Channels layer is allowed to be (boards repair gaps from their event log).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # one connection pool per process, not a new connection per request (core/redis_pool.py)
            "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are read from the shared cache (a Redis GET instead of a query on every request) and written
# through to the database. Only with Redis: a cache per process would keep a logged-out session alive in
# the other worker processes.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if REDIS_URL else 'db'}"

# --- Authentication ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The client address for the lockout: behind N trusted reverse proxies, the N-th address from the right of
# X-Forwarded-For (what the outermost proxy saw); 0 = the TCP peer (no proxy). Without this, behind a proxy
# every client shares the proxy's address and one attacker locks a user out for everyone.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "spielraum@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# --- Security (production) -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx and the live pages read it to send X-CSRFToken
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_AGE = 8 * 3600

# Content-Security-Policy (Django's own middleware): scripts only from this site or inline with the
# per-request nonce ({{ csp_nonce }}); styles also inline, because plotly.js and htmx set style attributes
# and inject style elements at run time. No CDN anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],  # includes ws(s):// of the same host in current browsers
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation: German first, English second -----------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files: everything from the repo or installed packages, never a CDN ----------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("plotly", Path(plotly.__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 200, minimum=1) * 1024 * 1024
# Bodies beyond these are refused with 413 before they are read (core/limits.py): multipart uploads up to
# MAX_UPLOAD_MB, every other body up to DATA_UPLOAD_MAX_MEMORY_SIZE.

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.MunicipalityFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spielraum API",
    "DESCRIPTION": "Integrated social and financial planning for German municipalities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # budget version status (draft/adopted/supplementary/final) vs. the other "status" fields
    "ENUM_NAME_OVERRIDES": {"BudgetVersionStatusEnum": "finance.models.BudgetVersion.Status"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
