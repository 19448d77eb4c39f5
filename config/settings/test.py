"""Tests: the same PostgreSQL engine (embedded unless DATABASE_URL is set), fast hashing."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ID_HASH_KEY = "test-id-hash-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Eager by default; a real worker started by a test runs with CELERY_EAGER=0 on its own queue.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_EAGER", "1") != "0"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "zh-hans"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Two test runs on one machine (a developer and a helper) each need their own test database.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_credit")}  # noqa: F405

# Each test client loads the middleware anew; WhiteNoise would stat every collected static file
# (staticfiles/ after `make run`) on each load, ~150 ms a test. Look files up on request instead.
WHITENOISE_AUTOREFRESH = True
