"""Django settings for the MSP portal.

Every setting comes from the environment (12-factor); `.env.example` lists them.
Defaults are safe for production except where `DEBUG` is explicitly turned on.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

# The MSP's own host names (the public schema). Client portals live on
# "<client-slug>.<CLIENT_DOMAIN_SUFFIX>".
MSP_HOSTS = env_list("MSP_HOSTS", "localhost,127.0.0.1,testserver")
CLIENT_DOMAIN_SUFFIX = os.environ.get("CLIENT_DOMAIN_SUFFIX", "localhost")
PORTAL_SCHEME = os.environ.get("PORTAL_SCHEME", "http" if DEBUG else "https")
PORTAL_PORT = os.environ.get("PORTAL_PORT", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ",".join([*MSP_HOSTS, f".{CLIENT_DOMAIN_SUFFIX}"]))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# ---------------------------------------------------------------- applications
SHARED_APPS = [
    "django_tenants",
    # Change history written by PostgreSQL triggers (core/history.py, docs/audit-history.md).
    "pgtrigger",
    "pghistory",
    "core",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_celery_beat",
    "graphene_django",
    "services.catalog",
    "services.workqueue",
    # The public index of every client's monitors (scheduler, "Down now" board).
    "services.infrastructure.monitor_index",
    "services.demo",
    # Push ingest: tokens and received batches (public); writes into the client's schema.
    "services.ingest",
    # Contracts, invoices and payments: the MSP's records about each client (docs/billing.md).
    "billing",
    # Account management: check-ins, health, campaigns, broadcasts, QBRs (docs/outreach.md).
    "services.outreach",
    # The project itself: only the `bootstrap_portal` command (assembling every app's defaults).
    "msp_portal",
]
# Operational data of one client lives in its own schema.
TENANT_APPS = [
    "django.contrib.contenttypes",
    "services.directory",
    "services.support",
    "services.infrastructure",
    "services.security",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Client"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# New tenants are cloned from this template schema instead of replaying every
# migration (see docs/performance.md for the measured difference).
TENANT_BASE_SCHEMA = os.environ.get("TENANT_BASE_SCHEMA", "tenant_template")
TENANT_CREATION_FAKES_MIGRATIONS = env_bool("TENANT_CREATION_FAKES_MIGRATIONS", True)
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Set search_path once per connection and schema change, not before every query.
TENANT_LIMIT_SET_CALLS = True
# `migrate_schemas` migrates only the schemas with something to apply, in parallel workers
# (tenants/migrate.py); `--executor=standard|multiprocessing` picks django-tenants' own.
GET_EXECUTOR_FUNCTION = "tenants.migrate.get_executor"
TENANT_MULTIPROCESSING_MAX_PROCESSES = int(os.environ.get("TENANT_MIGRATION_WORKERS", "2"))

AUTH_USER_MODEL = "tenants.User"

# History events carry their context (acting user, URL) as JSON in the event row itself:
# no shared context table, so a client schema's history needs nothing outside the schema.
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The event tables get their own append-only trigger in the migrations (core/history.py).
PGHISTORY_APPEND_ONLY = False
# The moment of the change itself, not the start of its transaction (orders a request's changes).
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    "msp_portal.middleware.HealthCheckMiddleware",
    "msp_portal.middleware.RequestLogMiddleware",
    # PostgreSQL unreachable: a 503 page / typed GraphQL error instead of a 500.
    "core.availability.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-tenants' middleware with the host -> tenant lookup cached (tenants/domain_cache.py).
    "tenants.middleware.CachedTenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, with the user and their TOTP device read in one query (tenants/middleware.py).
    "tenants.middleware.OTPMiddleware",
    # Puts the signed-in user and the URL on every history event the request's writes cause.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last so it sees the outcome of every login path.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "msp_portal.urls"
WSGI_APPLICATION = "msp_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "msp_portal" / "templates"],
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

# -------------------------------------------------------------------- database
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/msp_portal"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "core.postgresql_backend"  # django-tenants', no redundant SETs
_test_db_name = os.environ.get("TEST_DATABASE_NAME")
if _test_db_name:
    DATABASES["default"]["TEST"] = {"NAME": _test_db_name}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# ----------------------------------------------------------------------- cache
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "msp"),
        # A cache that is down answers within a second instead of hanging a request.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Keys shared by every schema (not prefixed with the current one): the host -> tenant lookup.
    "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "msp") + "-shared",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}

# ---------------------------------------------------------------------- celery
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "default")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Connecting to a broker that is down fails within seconds, never hangs (web requests publish
# through the outbox with an even shorter bound, OUTBOX_PUBLISH_TIMEOUT).
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
# visibility_timeout: how long a task taken by a worker that then died stays invisible before
# Redis hands it out again (acks_late). It must exceed the longest task plus its countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# The transactional outbox (core.outbox): one quick publish after each commit, bounded by
# this many seconds; after a failure the process leaves publishing to the beat relay for
# OUTBOX_BACKOFF_SECONDS. Sent rows are kept OUTBOX_KEEP_SENT_DAYS days.
OUTBOX_RELAY_ON_COMMIT = env_bool("OUTBOX_RELAY_ON_COMMIT", True)
OUTBOX_PUBLISH_TIMEOUT = float(os.environ.get("OUTBOX_PUBLISH_TIMEOUT", "1"))
OUTBOX_BACKOFF_SECONDS = float(os.environ.get("OUTBOX_BACKOFF_SECONDS", "5"))
OUTBOX_KEEP_SENT_DAYS = int(os.environ.get("OUTBOX_KEEP_SENT_DAYS", "7"))
OUTBOX_RELAY_EVERY_SECONDS = int(os.environ.get("OUTBOX_RELAY_EVERY_SECONDS", "10"))
# A provisioning job no worker has taken after this long is failed (the admin starts it again).
PROVISIONING_QUEUE_TIMEOUT_SECONDS = int(os.environ.get("PROVISIONING_QUEUE_TIMEOUT_SECONDS", "900"))

# ------------------------------------------------------------------ identity
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("FAST_PASSWORD_HASHING", False)
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tenants.auth.lockout_response"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "tenants.auth.axes_username"
# The MSP's name as people see it: page titles, the logo text and headers of the SPA.
MSP_NAME = os.environ.get("MSP_NAME", "MSP Portal").strip() or "MSP Portal"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "MSP Portal")
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))

# Database sessions, the per-request read without the ORM compiling it each time (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))

# ------------------------------------------------------------------- graphql
GRAPHENE = {
    "SCHEMA": "msp_portal.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "SCHEMA_OUTPUT": str(BASE_DIR / "schema.graphql"),
    "SCHEMA_INDENT": 2,
}
# Limits checked before a query runs (docs/architecture.md, "Query limits"). Signed-in people
# get the first budget, anonymous visitors (who can only sign in) the second.
GRAPHQL_MAX_DEPTH = int(os.environ.get("GRAPHQL_MAX_DEPTH", "10"))
GRAPHQL_MAX_COST = int(os.environ.get("GRAPHQL_MAX_COST", "300"))
GRAPHQL_MAX_COST_ANONYMOUS = int(os.environ.get("GRAPHQL_MAX_COST_ANONYMOUS", "60"))
GRAPHQL_MAX_ALIASES = int(os.environ.get("GRAPHQL_MAX_ALIASES", "30"))
GRAPHQL_MAX_ALIASES_ANONYMOUS = int(os.environ.get("GRAPHQL_MAX_ALIASES_ANONYMOUS", "5"))
GRAPHQL_MAX_TOKENS = int(os.environ.get("GRAPHQL_MAX_TOKENS", "5000"))
GRAPHQL_MAX_TOKENS_ANONYMOUS = int(os.environ.get("GRAPHQL_MAX_TOKENS_ANONYMOUS", "1000"))

# ------------------------------------------------------------ static / front end
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.exists() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --------------------------------------------------------------- service desk
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"
# Offboarding (docs/client-lifecycle.md): an offboarded client is removed for good this many
# days after it was offboarded, by the nightly purge; a last archive is kept here.
CLIENT_PURGE_GRACE_DAYS = int(os.environ.get("CLIENT_PURGE_GRACE_DAYS", "30"))
CLIENT_ARCHIVE_ROOT = Path(os.environ.get("CLIENT_ARCHIVE_ROOT", str(BASE_DIR / ".data" / "client-archives")))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1000 * 1000)))
ATTACHMENT_MAX_COUNT = 5
ATTACHMENT_CONTENT_TYPES = frozenset(
    env_list(
        "ATTACHMENT_CONTENT_TYPES",
        "image/png,image/jpeg,image/gif,application/pdf,text/plain,text/csv,application/zip,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,message/rfc822",
    )
)
# Upper bound of work items one SLA sweep run handles (the rest wait for the next minute).
SLA_SWEEP_MAX_ITEMS = int(os.environ.get("SLA_SWEEP_MAX_ITEMS", "20000"))
# A message may carry ATTACHMENT_MAX_COUNT files of ATTACHMENT_MAX_BYTES, base64-encoded (4/3) in JSON.
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES * ATTACHMENT_MAX_COUNT * 4 // 3 + 1_000_000
# Billing rounding for technician time: up to the next multiple of this many minutes.
TIME_ENTRY_ROUNDING_MINUTES = int(os.environ.get("TIME_ENTRY_ROUNDING_MINUTES", "15"))
# Billing (docs/billing.md): the MSP's details printed on every invoice, copied at issue.
BILLING_SELLER_NAME = os.environ.get("BILLING_SELLER_NAME", MSP_NAME)
BILLING_SELLER_ADDRESS = os.environ.get("BILLING_SELLER_ADDRESS", "").replace("\\n", "\n")
BILLING_SELLER_TAX_ID = os.environ.get("BILLING_SELLER_TAX_ID", "")
BILLING_SELLER_EMAIL = os.environ.get("BILLING_SELLER_EMAIL", "")
BILLING_SELLER_BANK_DETAILS = os.environ.get("BILLING_SELLER_BANK_DETAILS", "").replace("\\n", "\n")
# Client users may reopen a resolved request for this many days after it was resolved; after
# that (and once it is closed) they raise a new request linked to it (docs/service-desk.md).
TICKET_REOPEN_WINDOW_DAYS = int(os.environ.get("TICKET_REOPEN_WINDOW_DAYS", "7"))

# Phishing intake (docs/security.md): the largest reported message accepted (pasted or .eml),
# and how long a campaign keeps taking reports of the same message after its last one.
PHISHING_REPORT_MAX_BYTES = int(os.environ.get("PHISHING_REPORT_MAX_BYTES", str(5 * 1000 * 1000)))
PHISHING_GROUP_WINDOW_DAYS = int(os.environ.get("PHISHING_GROUP_WINDOW_DAYS", "7"))

# --------------------------------------------------------------- push ingest
# POST /api/ingest/v1/results (docs/ingest.md). Body and batch limits, the signature's
# timestamp window, the per-client rate limit (a fixed window in Redis; 0 turns it off) and
# how long batch ids are remembered against replays.
INGEST_MAX_BODY_BYTES = int(os.environ.get("INGEST_MAX_BODY_BYTES", str(1024 * 1024)))
INGEST_MAX_ITEMS = int(os.environ.get("INGEST_MAX_ITEMS", "500"))
INGEST_TIMESTAMP_TOLERANCE_SECONDS = int(os.environ.get("INGEST_TIMESTAMP_TOLERANCE_SECONDS", "300"))
INGEST_RATE_LIMIT_REQUESTS = int(os.environ.get("INGEST_RATE_LIMIT_REQUESTS", "120"))
INGEST_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("INGEST_RATE_LIMIT_WINDOW_SECONDS", "60"))
INGEST_RATE_LIMIT_REDIS_URL = os.environ.get("INGEST_RATE_LIMIT_REDIS_URL", REDIS_URL)
INGEST_RATE_LIMIT_BACKOFF_SECONDS = float(os.environ.get("INGEST_RATE_LIMIT_BACKOFF_SECONDS", "10"))
INGEST_BATCH_KEEP_HOURS = int(os.environ.get("INGEST_BATCH_KEEP_HOURS", "24"))
INGEST_MAX_ACTIVE_TOKENS = int(os.environ.get("INGEST_MAX_ACTIVE_TOKENS", "5"))

# ------------------------------------------------------------- heartbeat pings
# /monitoring/ping/<token> (docs/monitoring.md): at most this many pings per token per window
# (a fixed window in Redis; 0 turns it off). A job pinging once a minute uses one of ten.
HEARTBEAT_PING_RATE_LIMIT_REQUESTS = int(os.environ.get("HEARTBEAT_PING_RATE_LIMIT_REQUESTS", "10"))
HEARTBEAT_PING_RATE_LIMIT_WINDOW_SECONDS = int(
    os.environ.get("HEARTBEAT_PING_RATE_LIMIT_WINDOW_SECONDS", "60")
)

# ---------------------------------------------------------------------- stripe
# Stripe collects the money; the portal's ledger stays the source of truth (docs/billing.md,
# "Stripe"). With no STRIPE_API_KEY nothing calls Stripe: invoices are paid by hand.
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "").strip()
# The signing secret of the webhook endpoint (`whsec_...`): POST /api/stripe/webhook.
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
# Another API base (a localstripe server in tests and development); empty = api.stripe.com.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "").strip()
# Seconds before one Stripe API call gives up (the task then retries with backoff).
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))
# How far a webhook's signed timestamp may be from now (Stripe's default tolerance).
STRIPE_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE_SECONDS", "300"))

# ----------------------------------------------------------------------- email
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MSP Portal <portal@msp.invalid>")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------- logging
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {"request_id": {"()": "core.request_id.RequestIdLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # PDF font subsetting (fpdf2 → fontTools) logs every table it prunes at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
