"""Settings shared by every environment. Everything that differs comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("DEMO", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Key for the keyed hash of resident ID numbers (HMAC-SHA256). Rotating it
# orphans every stored hash, so production must set it once and keep it.
ID_HASH_KEY = os.environ.get("ID_HASH_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Ed25519 seed (base64, 32 bytes) that signs public answers and licence checks; see core/receipts.py.
RECEIPT_SIGNING_KEY = os.environ.get("RECEIPT_SIGNING_KEY", "")
EXPORTS_DIR = Path(os.environ.get("EXPORTS_DIR", BASE_DIR / "var" / "exports"))
# The static cut of the embedded PDF font (core/pdf_font.py), derived once per machine from its package.
PDF_FONT_DIR = Path(os.environ.get("PDF_FONT_DIR", BASE_DIR / "var" / "fonts"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The layers, bottom up (docs/architecture.md): the kernel, the registry, complaints, ratings, regulator.
    "core",
    "entities",
    "complaints",
    "ratings",
    "regulator",
    "regulator.portal",
    "regulator.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.audit_context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]


def _inspecting_embedded() -> bool:
    """``manage.py embedded status|stop`` looks at the embedded engines: loading the settings must not start them."""
    import sys

    return sys.argv[1:2] == ["embedded"]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    if _inspecting_embedded():
        return "postgresql:///credit?host=/nonexistent"
    from config import embedded  # only without a URL: it starts the embedded engine

    return embedded.postgres_url()


def _broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL")
    if url:
        return url
    if _inspecting_embedded():
        return "redis+socket:///nonexistent/redis.sock"
    from config import embedded  # only without a URL: it starts the embedded engine

    return embedded.redis_url()


DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=60, conn_health_checks=True)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Server-side parameter binding, and psycopg prepares a statement once a connection has run it
# DATABASE_PREPARE_THRESHOLD times (planning was 3-8x the execution of the hot reads). Prepared statements
# live in the database session: behind a transaction-mode pooler (PgBouncer before 1.21 without
# max_prepared_statements) set DATABASE_PREPARED=0. Decision 0018.
if os.environ.get("DATABASE_PREPARED", "1") != "0":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(os.environ.get("DATABASE_PREPARE_THRESHOLD", "5")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# 中文 first; English through Accept-Language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Request bodies: 100 KB strings are bad input, not a reason to run out of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.AuditedTokenAuthentication",
        "core.authentication_clients.ApiKeyAuthentication",  # department clients: Authorization: Api-Key <key>
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # API.md: everything is JSON. JSON bodies are held to the types the schema documents (config.api.serializers).
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public": os.environ.get("THROTTLE_PUBLIC", "120/min"),
        "complaint_create": os.environ.get("THROTTLE_COMPLAINTS", "20/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "30/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "信用监管平台 API",
    "DESCRIPTION": "山西文化旅游、会展、康养、家政行业信用监管：主体档案、信用评分、严重失信主体名单、守信激励名单与正当程序。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from this service, not a CDN: regulators' networks are often closed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's base serializers' docstrings are implementation notes, not descriptions of a body.
    "GET_LIB_DOC_EXCLUDES": "config.api.schema_tags.lib_doc_excludes",
    # Every operation documents the 400/401/403/404/409/429 it can answer, with the real error bodies;
    # every operation has a domain tag (by path prefix, described in Chinese and English) and a summary.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.postprocess_integer_ids",
        "config.api.schema.postprocess_error_responses",
        "config.api.schema_tags.postprocess_tags",
        "config.api.schema_tags.postprocess_summaries",
        "config.api.schema_tags.postprocess_one_body_type",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SectorEnum": "entities.models.Sector",
        "EntityStatusEnum": "entities.models.EntityStatus",
        "LicenceStatusEnum": "entities.models.LicenceStatus",
        "UserRoleEnum": "core.models.UserRole",
        "PersonRoleEnum": "entities.models.PersonRoleKind",
        "EntityCategoryEnum": "entities.models.Category",
        "ComplaintCategoryEnum": "complaints.models.ComplaintCategory",
        "ComplaintStatusEnum": "complaints.models.ComplaintStatus",
        "SeverityEnum": "complaints.models.Severity",
        "PenaltyEnum": "complaints.models.Penalty",
        "DeliveryMethodEnum": "core.models.DeliveryMethod",
        "RespondentPersonRoleEnum": "complaints.models.PractitionerKind",
        "FilingChannelEnum": "regulator.lists.models.FilingChannel",
        "ObjectionOutcomeEnum": "regulator.lists.models.ObjectionOutcome",
        "ComplaintChannelEnum": "complaints.models.ComplaintChannel",
        "ComplaintOutcomeEnum": "complaints.models.ComplaintOutcome",
        "DocumentKindEnum": "core.models.DocumentKind",
        "ComplaintAttachmentKindEnum": "complaints.attachments.AttachmentKind",
        "TrainingKindEnum": "entities.workers.TrainingKind",
        "ServiceReviewStatusEnum": "entities.reviews.ReviewStatus",  # 家政服务评价
        "ServiceReplyStatusEnum": "entities.reviews.ReplyStatus",
        "ServiceKindEnum": "entities.reviews.ServiceKind",
        "RectificationEvidenceStatusEnum": "complaints.rectification.EvidenceStatus",
        "FeedKindEnum": "regulator.disclosure.feeds.FeedKind",
        "CampaignKindEnum": "complaints.campaigns.CampaignKind",
        "AwardKindEnum": "regulator.lists.awards.AwardKind",
        "AwardStatusEnum": "regulator.lists.awards.AwardStatus",
        "AwardRoundStatusEnum": "regulator.lists.awards.AwardRoundStatus",
        "AwardChannelEnum": "regulator.lists.awards.AwardChannel",
        "PublicityKindEnum": "regulator.disclosure.publicity_records.PublicityKind",
        "ImportSourceKindEnum": "regulator.lists.import_sources.SourceKind",
        "PublicityEndReasonEnum": "regulator.disclosure.publicity_records.PublicityEndReason",
    },
}

CELERY_BROKER_URL = _broker_url()


def _cache_location(broker_url: str) -> str:
    # kombu spells a unix socket redis+socket://, redis-py spells it unix://.
    if broker_url.startswith("redis+socket://"):
        return "unix://" + broker_url.removeprefix("redis+socket://")
    return broker_url


# Shared by every gunicorn worker, so throttles hold across processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_URL", _cache_location(CELERY_BROKER_URL)),
        "KEY_PREFIX": "credit",
    }
}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang on a dead broker: publish fails fast and the outbox takes over.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE: dict = {
    "complaints-mark-overdue": {"task": "complaints.tasks.mark_overdue_complaints", "schedule": crontab(minute=5)},
    "workbench-alerts": {"task": "regulator.workbench.tasks.send_alerts", "schedule": crontab(minute=10)},
    # after the nightly recompute (02:00): grades in the snapshot are the night's
    "workbench-stats-snapshot": {"task": "regulator.workbench.tasks.take_stats_snapshot",
                                 "schedule": crontab(minute=40, hour=2)},
    "workbench-monthly-bulletin": {"task": "regulator.workbench.tasks.monthly_bulletin",
                                   "schedule": crontab(minute=0, hour=7)},
    "ratings-drain-rescore-outbox": {"task": "ratings.tasks.drain_rescore_outbox", "schedule": 60.0},
    "ratings-nightly-recompute": {"task": "ratings.tasks.nightly_recompute", "schedule": crontab(minute=0, hour=2)},
    "regulator-nightly-lists": {"task": "regulator.lists.tasks.nightly_lists", "schedule": crontab(minute=30, hour=0)},
    # Penalties leave public view by date, with no event: the open-data files are rewritten nightly too.
    "regulator-nightly-exports": {"task": "regulator.disclosure.tasks.regenerate_exports",
                                  "schedule": crontab(minute=45, hour=0)},
    # 双公示: decisions the services' transactions missed (imports, COPY, admin) produced, ended periods ended
    "regulator-nightly-publicity": {"task": "regulator.disclosure.tasks.publicity_sweep",
                                    "schedule": crontab(minute=15, hour=1)},
    "regulator-quarterly-red": {
        "task": "regulator.lists.tasks.quarterly_red_candidates",
        "schedule": crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,4,7,10"),
    },
    "regulator-audit-checkpoint": {"task": "core.tasks.audit_checkpoint", "schedule": crontab(minute=55, hour=23)},
    # jobs a broker outage or a lost worker left behind are sent again (core.jobs, decision 0017)
    "core-jobs-sweep": {"task": "core.tasks.jobs_sweep", "schedule": 60.0},
    # expired API tokens (core.authentication: a request checks only the token it presents)
    "core-tokens-purge": {"task": "core.tasks.tokens_purge", "schedule": crontab(minute=15)},
    "complaints-monthly-random-draw": {
        "task": "complaints.tasks.draw_monthly_inspection_plans",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
    },
    # 回炉培训: firms that missed a phase deadline are recorded before the hourly alerts run
    "entities-retraining-missed": {"task": "entities.tasks.flag_missed_retraining_phases",
                                   "schedule": crontab(minute=50, hour=0)},
}

# Listing imports up to this many rows answer in the request; larger ones are background jobs (202).
LISTING_IMPORT_SYNC_MAX_ROWS = int(os.environ.get("LISTING_IMPORT_SYNC_MAX_ROWS", "200"))
# 定时导入 (regulator/lists/import_sources.py): drop directories live under this root; a file (dropped or
# fetched) larger than the cap, or a fetch slower than the timeout, fails its run. Beat queues due sources.
IMPORT_DROP_ROOT = Path(os.environ.get("IMPORT_DROP_ROOT", BASE_DIR / "var" / "import-drop"))
IMPORT_SOURCE_MAX_BYTES = int(os.environ.get("IMPORT_SOURCE_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_SOURCE_TIMEOUT_SECONDS = float(os.environ.get("IMPORT_SOURCE_TIMEOUT_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["regulator-import-sources-due"] = {
    "task": "regulator.lists.tasks.queue_due_import_sources", "schedule": 60.0}

# 到期提醒 (regulator/workbench/alerts.py): an objection window closing within this many working days, a
# document not served this many working days after its issue.
ALERT_HORIZON_WORKING_DAYS = int(os.environ.get("ALERT_HORIZON_WORKING_DAYS", "1"))
ALERT_UNSERVED_WORKING_DAYS = int(os.environ.get("ALERT_UNSERVED_WORKING_DAYS", "3"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@credit.example.gov.cn")
# Text messages go through this backend (core/sms.py); the console prints them. A gateway is one class.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.sms.ConsoleBackend")

# Uploaded files (core/uploads.py): outside the static root and never served by the web server; each file is
# answered only by a view that checked who asks for which object (decision 0019).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private-media"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# A complainant's contact for status updates is erased this many days after the complaint ended.
COMPLAINT_CONTACT_RETENTION_DAYS = int(os.environ.get("COMPLAINT_CONTACT_RETENTION_DAYS", "30"))
# A household-service review link (entities/review_services.py) works once, for this many days.
REVIEW_LINK_DAYS = int(os.environ.get("REVIEW_LINK_DAYS", "30"))
CELERY_BEAT_SCHEDULE["complaints-erase-expired-contacts"] = {
    "task": "complaints.status_update_tasks.erase_expired_contacts", "schedule": crontab(minute=20, hour=3)}
# 诚信评选: awards past their validity expire, and every award in force is rechecked (after the lists' night).
CELERY_BEAT_SCHEDULE["regulator-nightly-awards"] = {
    "task": "regulator.lists.award_tasks.nightly_awards", "schedule": crontab(minute=50, hour=0)}

# 变更推送 (regulator/disclosure/feed_delivery.py, decision 0027): attempts before a delivery is dead-lettered,
# the backoff (base * 2^(n-1), capped), the request timeout; http only to loopback and only where allowed (tests).
FEED_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("FEED_DELIVERY_MAX_ATTEMPTS", "10"))
FEED_RETRY_BASE_SECONDS = float(os.environ.get("FEED_RETRY_BASE_SECONDS", "5"))
FEED_RETRY_MAX_SECONDS = float(os.environ.get("FEED_RETRY_MAX_SECONDS", "3600"))
FEED_DELIVERY_TIMEOUT_SECONDS = float(os.environ.get("FEED_DELIVERY_TIMEOUT_SECONDS", "10"))
FEED_WEBHOOK_HTTP_LOOPBACK = os.environ.get("FEED_WEBHOOK_HTTP_LOOPBACK", "0") == "1"
FEED_SECRET_KEY = os.environ.get("FEED_SECRET_KEY", "")  # empty: derived from SECRET_KEY
CELERY_BEAT_SCHEDULE["regulator-feed-dispatch"] = {"task": "regulator.disclosure.feed_tasks.feed_dispatch",
                                                   "schedule": 5.0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}

# Settings of one concern each live in their own module, applied last (each may extend the above).
from config.settings import audit_trail, edge, inputs  # noqa: E402

for _concern in (edge, audit_trail, inputs):
    _concern.apply(globals())
