"""One settings module, read from the environment (see README, Configuration).

Defaults give the embedded setup: SQLite and a filesystem Celery broker under var/.
DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false)")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "1")
# Anyone who reads this file can sign sessions and reset links with this key: development only.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
SECRET_KEY = os.getenv("SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off: set it to a long random string.")
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "SECRET_KEY is the public development key, which must not be used when DEBUG is off: "
        "set SECRET_KEY to a long random string."
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's JS/CSS as static files: the API docs work offline
    "simple_history",
    "axes",  # sign-in throttling (below, Sign-in security)
    "django_otp",  # two-factor sign-in (records/two_factor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # backup codes
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "records.middleware.ContentSecurityPolicyMiddleware",
    # Records who made each change for the audit history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Two-factor: the code after the password, and enrolment where a team requires it (records/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "records.two_factor.TwoFactorMiddleware",
    # Sign-in throttling: turns a lockout into a plain answer (records/signin.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes pages; a busy timeout
    # instead of "database is locked" when both write at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("TEST_SQLITE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.getenv("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FORMS_URLFIELD_ASSUME_HTTPS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Released files live here, outside any static or public URL: downloads go
# through the permission-checked view only. With S3 it holds only the local
# incoming/ area where uploads are hashed before they are sent.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "files"))
# Released files go through one storage (records/ingest/store.py) that web and
# workers on every machine share: MEDIA_ROOT by default, or an S3-compatible
# bucket through django-storages (README, Several machines). Names are content
# hashes, so overwriting a name with the same bytes is harmless and races are too.
RELEASED_FILES_STORAGE = os.getenv("RELEASED_FILES_STORAGE", "filesystem")
if RELEASED_FILES_STORAGE == "filesystem":
    STORAGES["released"] = {"BACKEND": "records.ingest.store.ReleasedFileSystemStorage"}
elif RELEASED_FILES_STORAGE == "s3":
    if not os.getenv("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("RELEASED_FILES_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME")
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile,
    # an instance role); they are never read into settings.
    STORAGES["released"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.getenv("AWS_STORAGE_BUCKET_NAME"),
            "location": os.getenv("AWS_LOCATION", "released"),
            "endpoint_url": os.getenv("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, R2, …
            "region_name": os.getenv("AWS_S3_REGION_NAME") or None,
            "file_overwrite": True,
            "default_acl": None,  # the bucket's own policy: keep it private
        },
    }
else:
    raise ImproperlyConfigured("RELEASED_FILES_STORAGE must be filesystem or s3")

# Production hardening (DEBUG off). HSTS and the TLS redirect only when served over TLS,
# which is the default for production; set SECURE_TLS=0 to serve plain HTTP on a private network.
SECURE_TLS = envbool("SECURE_TLS", "0" if DEBUG else "1")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_TLS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = SECURE_TLS and envbool("SECURE_SSL_REDIRECT", "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000") if SECURE_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_TLS
SECURE_HSTS_PRELOAD = SECURE_TLS and envbool("SECURE_HSTS_PRELOAD", "1")
if envbool("BEHIND_TLS_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the inline PDF view opts in with xframe_options_sameorigin
# Downloads: "django" streams the file; "nginx" hands it to nginx with X-Accel-Redirect;
# "sendfile" uses X-Sendfile (Apache). See README, Production.
FILE_DOWNLOAD_MODE = os.getenv("FILE_DOWNLOAD_MODE", "django")
if FILE_DOWNLOAD_MODE not in ("django", "nginx", "sendfile"):
    raise ImproperlyConfigured("FILE_DOWNLOAD_MODE must be django, nginx or sendfile")
if FILE_DOWNLOAD_MODE != "django" and RELEASED_FILES_STORAGE != "filesystem":
    # nginx and Apache send a file from a local path; files in a bucket are streamed by the app.
    raise ImproperlyConfigured("FILE_DOWNLOAD_MODE=nginx or sendfile needs RELEASED_FILES_STORAGE=filesystem")
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_MB", "2048") * 2**20
DATA_UPLOAD_MAX_NUMBER_FILES = envint("MAX_FILES_PER_UPLOAD", "500")
FILE_DOWNLOAD_ACCEL_PREFIX = os.getenv("FILE_DOWNLOAD_ACCEL_PREFIX", "/protected-files/")

# The REST API (/api/): the same team scoping as the pages; tokens for scripts, the session for a browser.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "records.api.schema.TrackerAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Records tracker API",
    "DESCRIPTION": "Public-records requests, their timelines, communications and released documents, "
    "scoped to your teams. Authenticate with `Authorization: Token <key>` (POST /api/token/).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every statute period uses the same business/calendar choice: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"DayUnitEnum": "records.models.statutes.UNIT_CHOICES"},
}

# Sign-in security. django-axes counts failed sign-ins (the login form and POST /api/token/) per
# username and address: after AXES_FAILURE_LIMIT failures that pair is refused for the cool-off,
# even with the right password. Locked pairs are listed (and can be cleared) in the Django admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("SIGNIN_LOCKOUT_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "records.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "records.signin.client_ip"  # behind the TLS proxy, the address it saw
AXES_VERBOSE = False
OTP_TOTP_ISSUER = os.getenv("OTP_TOTP_ISSUER", "Records tracker")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "tracker@localhost")

# Celery: an embedded filesystem broker by default, so no server is needed.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    (_queue_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    (_queue_dir / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_queue_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600")}
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Each kind of work has its own queue, so a flood of one kind never waits in front of another;
# production runs dedicated workers per queue (README). Fairness between teams within a queue is
# records/ingest/dispatch.py. "mail" is declared for the mail tasks to come.
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("extraction", "ocr", "mail", "housekeeping", "search", "celery")
]
CELERY_TASK_ROUTES = {
    "records.extract_document": {"queue": "extraction"},
    "records.ocr_document": {"queue": "ocr"},
    "records.build_binder": {"queue": "extraction"},  # exhibit binders: PDF work, like extraction
    "records.mail.*": {"queue": "mail"},
    "records.requeue_stale_documents": {"queue": "housekeeping"},
    "records.send_reminder_digests": {"queue": "housekeeping"},
    "records.clean_abandoned_uploads": {"queue": "housekeeping"},
    "records.compare_release": {"queue": "housekeeping"},  # the production diff (issue 14)
    # issue 15: tantivy allows one writer per index: the search queue's worker runs with concurrency 1.
    "records.drain_search_outbox": {"queue": "search"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Each morning, each assignee gets what falls due soon and what is overdue (idempotent per day).
    "reminder-digests": {"task": "records.send_reminder_digests", "schedule": crontab(hour=7, minute=0)},
    # Documents whose worker died mid-extraction are queued again (the embedded broker does not redeliver).
    "requeue-stale-documents": {"task": "records.requeue_stale_documents", "schedule": 120.0},
    # Temporary files a killed upload left in incoming/ (records.ingest.store.clean_abandoned_uploads).
    "clean-abandoned-uploads": {"task": "records.clean_abandoned_uploads", "schedule": crontab(minute=17)},
    # New mail of every team's mailbox, a batch per mailbox (records/mail/fetch.py).
    "fetch-mail": {"task": "records.mail.fetch_all", "schedule": 60.0},
    # The ranking engine's outbox, in case a drain message was lost (each write also sends one).
    "drain-search-outbox": {"task": "records.drain_search_outbox", "schedule": 60.0},
}
# Mailbox passwords are encrypted under this key (records/mail/secrets.py); required when DEBUG is off.
MAIL_SECRET_KEY = os.getenv("MAIL_SECRET_KEY", "")
MAIL_FETCH_BATCH = envint("MAIL_FETCH_BATCH", "200")

# issue 15: the ranking engine (records/search/engine.py), a tantivy index beside the database.
# Every web server and the search worker must see the same directory (README, Search).
SEARCH_ENGINE = envbool("SEARCH_ENGINE", "1")
SEARCH_ENGINE_DIR = Path(os.getenv("SEARCH_ENGINE_DIR", VAR_DIR / "search-engine"))
# Tests write pages directly: re-derive the engine from the database before each search.
SEARCH_ENGINE_REBUILD_BEFORE_SEARCH = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
}
