"""Settings, all from environment variables (see docs/deployment.md)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from wangge.lib.env import Env, EnvError, parse_database_url

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "wangge"
env = Env.from_os()

try:
    VAR_DIR = Path(env.get_str("WANGGE_VAR_DIR", str(BASE_DIR / "var")))
    DEBUG = env.get_bool("WANGGE_DEBUG", False)
    TESTING = "pytest" in sys.modules or env.get_bool("WANGGE_TESTING", False)

    SECRET_KEY = env.get_str("WANGGE_SECRET_KEY")
    if not SECRET_KEY:
        # A single-machine install keeps a generated key beside its data.
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file = VAR_DIR / "secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        SECRET_KEY = key_file.read_text().strip()

    # Keys for personal data (ID numbers, phones): see wangge/lib/crypto.py.
    DATA_KEYS = env.get_str("WANGGE_DATA_KEYS")
    SEARCH_KEY = env.get_str("WANGGE_SEARCH_KEY")
    if not DATA_KEYS or not SEARCH_KEY:
        from wangge.lib.crypto import generate_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        keys_file = VAR_DIR / "data-keys"
        if not keys_file.exists():
            keys_file.write_text(f"k1:{generate_key()}\n{generate_key()}\n")
            keys_file.chmod(0o600)
        stored_keys, stored_search = keys_file.read_text().split()[:2]
        DATA_KEYS = DATA_KEYS or stored_keys
        SEARCH_KEY = SEARCH_KEY or stored_search
    from wangge.lib.crypto import CryptoError, KeyRing

    try:
        KeyRing.parse(DATA_KEYS, SEARCH_KEY)
    except CryptoError as exc:
        raise EnvError(str(exc)) from None

    # 三率 (response, solve, satisfaction from return visits) → one score; weights sum to 1.
    _weights = env.get_list("WANGGE_THREE_RATE_WEIGHTS", ["0.2", "0.4", "0.4"])
    try:
        THREE_RATE_WEIGHTS = dict(
            zip(
                ["response_rate", "solve_rate", "satisfaction_rate"],
                map(float, _weights),
                strict=True,
            )
        )
    except ValueError:
        raise EnvError("WANGGE_THREE_RATE_WEIGHTS: three numbers, e.g. 0.2,0.4,0.4") from None
    if abs(sum(THREE_RATE_WEIGHTS.values()) - 1.0) > 1e-6 or min(THREE_RATE_WEIGHTS.values()) < 0:
        raise EnvError("WANGGE_THREE_RATE_WEIGHTS: non-negative weights that sum to 1")

    ALLOWED_HOSTS = env.get_list("WANGGE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    CSRF_TRUSTED_ORIGINS = env.get_list("WANGGE_CSRF_TRUSTED_ORIGINS", [])

    DATABASES = {
        "default": parse_database_url(
            env.get_str("WANGGE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'wangge.sqlite3'}"),
            base_dir=BASE_DIR,
        )
    }
    LOGIN_FAILURE_LIMIT = env.get_int("WANGGE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
    LOGIN_LOCKOUT_MINUTES = env.get_int("WANGGE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
    API_TOKEN_DAYS = env.get_int("WANGGE_API_TOKEN_DAYS", 30, minimum=1)
    MAP_TILE_URL = env.get_str("WANGGE_MAP_TILE_URL", "")
    MAP_TILE_ATTRIBUTION = env.get_str("WANGGE_MAP_TILE_ATTRIBUTION", "")
    DEMO_PASSWORD = env.get_str("WANGGE_DEMO_PASSWORD", "wangge-demo")
    SPATIAL_INDEX_CHECK_SECONDS = env.get_int("WANGGE_SPATIAL_INDEX_CHECK_SECONDS", 2, minimum=0)
    # Events: working periods for deadlines, the level new events are handled at,
    # and the overdue rule (escalate one level after this many hours overdue; 0 = never).
    WORKING_HOURS = env.get_str("WANGGE_WORKING_HOURS", "08:30-12:00,14:00-17:30")
    EVENTS_DEFAULT_LEVEL = env.get_str("WANGGE_EVENTS_DEFAULT_LEVEL", "street")
    if EVENTS_DEFAULT_LEVEL not in ("community", "street", "district"):
        raise EnvError("WANGGE_EVENTS_DEFAULT_LEVEL must be community, street or district")
    EVENTS_ESCALATE_OVERDUE_HOURS = env.get_int(
        "WANGGE_EVENTS_ESCALATE_OVERDUE_HOURS", 24, minimum=0
    )
    # Photos: the largest upload accepted, in megabytes and in pixels (width × height).
    MAX_PHOTO_MB = env.get_int("WANGGE_MAX_PHOTO_MB", 10, minimum=1)
    MAX_PHOTO_PIXELS = env.get_int("WANGGE_MAX_PHOTO_PIXELS", 50_000_000, minimum=1)
    # Places: people per room above which a room is flagged over-occupied (unless the room
    # has its own limit).
    MAX_OCCUPANTS_PER_ROOM = env.get_int("WANGGE_MAX_OCCUPANTS_PER_ROOM", 6, minimum=1)
    # Background tasks: "database" (django-tasks-db, `wangge db_worker`) or
    # "rq" (Redis through django-tasks-rq, `wangge rqworker --job-class django_tasks_rq.Job`).
    TASKS_BACKEND = env.get_str("WANGGE_TASKS_BACKEND", "database")
    if TASKS_BACKEND not in ("database", "rq"):
        raise EnvError("WANGGE_TASKS_BACKEND must be database or rq")
    REDIS_URL = env.get_str("WANGGE_REDIS_URL", "redis://127.0.0.1:6379/0")
    # Base data: a record not verified (核实) within this many days counts as stale.
    BASEDATA_STALE_DAYS = env.get_int("WANGGE_BASEDATA_STALE_DAYS", 180, minimum=1)
except EnvError as exc:  # pragma: no cover - exercised by tests of Env
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(str(exc)) from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "django_tasks_db",
    "wangge.audit",
    "wangge.regions",
    "wangge.accounts",
    "wangge.events",
    "wangge.web",
    "wangge.demo",
    "wangge.bench",
    "wangge.privacy",
    "wangge.people",
    "wangge.places",
    "wangge.assets",
    "wangge.organisations",
    "wangge.basedata",
    "wangge.ledgers",
    "wangge.campaigns",
    "wangge.arrivals",
    "wangge.care",
    "wangge.emergency",
    "wangge.inspections",
    "wangge.fieldwork",
    "wangge.open311",
    "wangge.dashboards",
    "wangge.maps",
    "wangge.workforce",
    "wangge.notifications",
    "wangge.triage",
    "wangge.reports",
    "wangge.suggestions",
    "wangge.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wangge.audit.middleware.RequestIdMiddleware",
    "wangge.api.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wangge.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "wangge.accounts.backends.RoleBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout (django-axes): by username, so a phone behind a shared NAT does
# not lock out the whole street.
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wangge.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

ROOT_URLCONF = "wangge.config.urls"
WSGI_APPLICATION = "wangge.config.wsgi.application"

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
                "wangge.web.context.site",
            ],
        },
    }
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "web" / "static_build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background tasks (django.tasks): stored in the database and run by `wangge db_worker`, or
# queued in Redis and run by `wangge rqworker --job-class django_tasks_rq.Job`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

if TESTING:
    # Hashing with argon2 on every test login would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    SPATIAL_INDEX_CHECK_SECONDS = 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get_str("WANGGE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Lockout is by username on purpose (see AXES_LOCKOUT_PARAMETERS above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
