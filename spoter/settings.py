"""Spoter settings, read from the environment (see README "Configuration").

No variables set -> the embedded default: SQLite under var/, in-memory channel layer, Celery worker
and beat inside the web process on an in-memory broker, a generated SECRET_KEY kept in var/.
DATABASE_URL / REDIS_URL set -> PostgreSQL (pooled) and Redis (broker, channel layer, cache).
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from spoter.env import Env, parse_database_url, parse_email_url, parse_redis_url

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and friends be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env.from_os()

VAR_DIR = Path(env.get_str("SPOTER_VAR_DIR") or BASE_DIR / "var")
DATABASE_URL = env.get_str("DATABASE_URL")
_redis_url = env.get_str("REDIS_URL")
REDIS_URL = parse_redis_url("REDIS_URL", _redis_url) if _redis_url else None
# Embedded: no Redis, so the worker and beat must live in the web process (spoter/embedded.py).
EMBEDDED = REDIS_URL is None

DEBUG = env.get_bool("DEBUG", default=DATABASE_URL is None)
# Bots' HTTP steps may call private and loopback addresses (tests, development; bots/http_steps.py).
BOT_HTTP_ALLOW_PRIVATE = env.get_bool("BOT_HTTP_ALLOW_PRIVATE", default=False)


def _secret_key() -> str:
    if key := env.get_str("SECRET_KEY"):
        if len(key) < 32 and not DEBUG:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return key
    if DATABASE_URL is not None:
        raise ImproperlyConfigured("SECRET_KEY is required when DATABASE_URL is set.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _field_encryption_keys() -> list[str]:
    """Keys for secrets at rest (spoter/crypto.py), newest first; generated once when embedded."""
    if raw := env.get_str("FIELD_ENCRYPTION_KEY"):
        return [key.strip() for key in raw.split(",") if key.strip()]
    if DATABASE_URL is not None:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is required when DATABASE_URL is set.")
    path = VAR_DIR / "field_encryption_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


FIELD_ENCRYPTION_KEYS = _field_encryption_keys()
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "spoter.accounts",
    "inbox",
    "inbox.simulator",
    "audience",
    "bots",
    "campaigns",
    "billing",
    "empaty",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "spoter.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "spoter.accounts.middleware.TenancyMiddleware",
    "billing.middleware.LimitMiddleware",
]

ROOT_URLCONF = "spoter.urls"
ASGI_APPLICATION = "spoter.asgi.application"

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
                "spoter.accounts.context_processors.navigation",
                "billing.context_processors.read_only",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "spoter.sqlite3",
            "OPTIONS": {
                # The embedded worker writes from another thread: wait for locks, take the write
                # lock up front, and let readers run beside the writer.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "spoter.cache.RedisCache", "LOCATION": REDIS_URL}}
    # The pub/sub layer delivered every message in our tests; the default one drops (FACTS.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "spoter.realtime.EmbeddedChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"polling_interval": 0.1}

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# The outbox (inbox/outbox.py): a worker's lease on an entry, and how long a send whose answer
# was lost waits for Meta's status before it is marked unconfirmed.
OUTBOX_LEASE_SECONDS = env.get_int("OUTBOX_LEASE_SECONDS", 90, minimum=1)
OUTBOX_OUTCOME_GRACE_SECONDS = env.get_int("OUTBOX_OUTCOME_GRACE_SECONDS", 120, minimum=1)
# Campaigns (campaigns/tasks.py): runners per campaign, and how long one task sends before it
# queues its successor (short in the embedded default: its one worker thread is shared).
CAMPAIGN_RUNNERS = env.get_int("CAMPAIGN_RUNNERS", 1 if EMBEDDED else 2)
CAMPAIGN_SLICE_SECONDS = env.get_int("CAMPAIGN_SLICE_SECONDS", 2 if EMBEDDED else 10)
# A claimed recipient goes back to the queue this long after its worker stopped answering.
CAMPAIGN_LEASE_SECONDS = env.get_int("CAMPAIGN_LEASE_SECONDS", 60, minimum=1)
# Installed into django-celery-beat's tables by its scheduler; edit them in the admin afterwards.
CELERY_BEAT_SCHEDULE = {
    # Scheduled campaigns whose time came, and running ones with no live runner (campaigns/tasks.py).
    "start-due-campaigns": {"task": "campaigns.tasks.start_due_campaigns", "schedule": 10},
    "keep-campaigns-running": {"task": "campaigns.tasks.keep_campaigns_running", "schedule": 2},
    "empaty-analyse-stragglers": {"task": "empaty.analysis_tasks.analyse_stragglers", "schedule": 60},
    "purge-stale-invitations": {
        "task": "spoter.accounts.tasks.purge_stale_invitations",
        "schedule": 24 * 3600,
    },
    # Outbound retries after backoff and sends whose task was lost (inbox/outbox.py).
    "deliver-due-outbox": {
        "task": "inbox.tasks.deliver_due_outbox",
        "schedule": 5,
    },
    # Reminders and scheduled messages whose time has come (inbox/teamwork.py, inbox/scheduling.py).
    "notify-due-reminders": {
        "task": "inbox.tasks.notify_due_reminders",
        "schedule": 15,
    },
    "send-due-scheduled": {
        "task": "inbox.tasks.send_due_scheduled",
        "schedule": 15,
    },
    # Bot sessions with no answer from the customer for 24 hours (bots/sessions.py).
    "abandon-idle-bot-sessions": {
        "task": "bots.tasks.abandon_idle_sessions",
        "schedule": 600,
    },
    # Follow-ups: chats whose customer has not answered our last message (bots/follow_ups.py).
    "send-follow-ups": {
        "task": "bots.rule_tasks.send_follow_ups",
        "schedule": 300,
    },
    # Webhook events whose drain was lost or whose worker died (inbox/webhook_events.py).
    "drain-webhook-events": {
        "task": "inbox.tasks.drain_webhook_events",
        "schedule": 60,
    },
    "purge-unmatched-statuses": {
        "task": "inbox.tasks.purge_unmatched_statuses",
        "schedule": 24 * 3600,
    },
    # Contact imports and exports whose task or worker was lost (audience/imports, audience/exports.py).
    "resume-stale-imports": {
        "task": "audience.tasks.resume_stale_imports",
        "schedule": 60,
    },
    "requeue-lost-exports": {
        "task": "audience.tasks.requeue_lost_exports",
        "schedule": 60,
    },
    # Renewals, scheduled plan changes, cancellations, unpaid accounts and reminders (billing/cycle.py).
    "billing-run-due": {"task": "billing.tasks.run_due", "schedule": 3600},
    # Mercado Pago charges and preapprovals whose webhook was lost (billing/mercadopago/sync.py).
    "mercadopago-reconcile": {
        "task": "billing.mercadopago.tasks.reconcile",
        "schedule": 3600,
    },
    "purge-processed-webhooks": {
        "task": "inbox.tasks.purge_processed_webhooks",
        "schedule": 24 * 3600,
    },
    # Recurring notifications whose time came, and runs a lost worker left (notifications/runs.py).
    "run-due-notifications": {"task": "notifications.tasks.run_due", "schedule": 60},
    # Banco Nación's dollar rate, ready before charges need it (billing/rates/).
    "fetch-dollar-rate": {"task": "billing.tasks_rates.fetch_rate", "schedule": 3 * 3600},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# The chooser goes straight to the inbox when the person belongs to one account.
LOGIN_REDIRECT_URL = "account_chooser"

# django-allauth: email is the identity; verification is mandatory before the first login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_FORMS = {"signup": "spoter.accounts.forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Spoter"

LANGUAGE_CODE = "es-ar"
LANGUAGES = [("es-ar", _("Spanish (Argentina)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Argentina/Buenos_Aires"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The embedded default serves straight from the source folders; production collects them.
WHITENOISE_USE_FINDERS = DEBUG or DATABASE_URL is None
MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT") or VAR_DIR / "media")

globals().update(
    parse_email_url("EMAIL_URL", env.get_str("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost"))
)
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL") or "Spoter <no-reply@spoter.local>"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INVITATION_DAYS = env.get_int("INVITATION_DAYS", 7, minimum=1)
# Processed raw webhook bodies hold customers' numbers and words: kept this long, then purged
# daily (inbox/webhook_retention.py).
WEBHOOK_RETENTION_DAYS = env.get_int("WEBHOOK_RETENTION_DAYS", 7, minimum=1)

# Contact imports (AUD-2): larger uploads are refused before anything is stored.
CONTACT_IMPORT_MAX_MB = env.get_int("CONTACT_IMPORT_MAX_MB", 50, minimum=1)

# EMPATY (EMP-5): supervisors are alerted when a conversation has this many negative customer
# messages in a row (empaty/alerts.py).
EMPATY_NEGATIVE_STREAK = env.get_int("EMPATY_NEGATIVE_STREAK", 3, minimum=2)

# The platform's own help desk (BIL-5): the slug of the Spoter account whose WhatsApp lines answer
# customers; their admins' questions there carry the plan's deadline. Empty: the feature is off.
SUPPORT_ACCOUNT_SLUG = env.get_str("SUPPORT_ACCOUNT_SLUG") or ""

# Where people and Meta reach this server; webhook URLs and the simulator's callbacks use it.
SITE_URL = (env.get_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

# WhatsApp Cloud API (FACTS.md). Lines may override the Graph URL (the simulator's, for the demo).
WHATSAPP_GRAPH_URL = (env.get_str("WHATSAPP_GRAPH_URL") or "https://graph.facebook.com").rstrip("/")
WHATSAPP_API_VERSION = env.get_str("WHATSAPP_API_VERSION") or "v23.0"
# The platform's own Meta app, for /webhooks/whatsapp/ serving many lines (optional).
WHATSAPP_APP_SECRET = env.get_str("WHATSAPP_APP_SECRET") or ""
WHATSAPP_VERIFY_TOKEN = env.get_str("WHATSAPP_VERIFY_TOKEN") or ""
WHATSAPP_TIMEOUT_SECONDS = env.get_int("WHATSAPP_TIMEOUT_SECONDS", 20, minimum=1)
# Signed media URLs stay valid this long.
MEDIA_URL_MAX_AGE = env.get_int("MEDIA_URL_MAX_AGE", 300, minimum=10)

# Banco Nación's "billete" dollar rate for charges (billing/rates/): its personas page, a JSON
# mirror as fallback, and who is emailed when both fail (FACTS.md).
BNA_RATE_URL = env.get_str("BNA_RATE_URL") or "https://www.bna.com.ar/Personas"
BNA_RATE_MIRROR_URL = env.get_str("BNA_RATE_MIRROR_URL") or "https://dolarapi.com/v1/dolares/oficial"
BILLING_STAFF_EMAILS = env.get_list("BILLING_STAFF_EMAILS", [])

# Mercado Pago card subscriptions (billing/mercadopago/). With no access token the in-process
# sandbox plays Mercado Pago (when the simulator is on); MERCADOPAGO_API_URL points the SDK at a
# local fake server instead of https://api.mercadopago.com (the tests).
MERCADOPAGO_ACCESS_TOKEN = env.get_str("MERCADOPAGO_ACCESS_TOKEN") or ""
MERCADOPAGO_WEBHOOK_SECRET = env.get_str("MERCADOPAGO_WEBHOOK_SECRET") or ""
MERCADOPAGO_API_URL = (env.get_str("MERCADOPAGO_API_URL") or "").rstrip("/")

# The WhatsApp simulator (LIN-5): fake Graph API under /simulator/graph/ and a phone page.
SIMULATOR_ENABLED = env.get_bool("SIMULATOR_ENABLED", default=DATABASE_URL is None)
if SIMULATOR_ENABLED:
    # Webhooks the simulator owes whose task died with a worker (inbox/simulator/tasks.py).
    CELERY_BEAT_SCHEDULE["simulator-redeliver-lost-webhooks"] = {
        "task": "inbox.simulator.tasks.redeliver_lost_webhooks",
        "schedule": 30,
    }
# Messages per second per simulated number before it answers 130429, like Meta's throughput cap.
SIMULATOR_RATE = env.get_int("SIMULATOR_RATE", 80, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["inbox.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "inbox.api.pagination.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "inbox.api.base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Spoter API",
    "DESCRIPTION": "Conversations, messages and contacts of one account, by API key.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two fields named "type" (a message's, and the kinds the API sends): one name each.
    "ENUM_NAME_OVERRIDES": {
        "MessageTypeEnum": "inbox.models.MessageType",
        "SendTypeEnum": "inbox.api.compose.KINDS",
    },
}

LOG_FORMAT = env.get_choice("LOG_FORMAT", "text" if DEBUG else "json", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "spoter.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {
        "handlers": ["console"],
        "level": env.get_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
}
