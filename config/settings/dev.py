"""Development: DEBUG on, demo data allowed, embedded engines unless URLs are set."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import env_bool  # noqa: E402

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: F405,S105
ID_HASH_KEY = ID_HASH_KEY or "dev-only-id-hash-key"  # noqa: F405
ALLOWED_HOSTS = ["*"]
