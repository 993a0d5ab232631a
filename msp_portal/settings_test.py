"""Settings for the test suite: the real settings with test-only defaults.

Tests use a real PostgreSQL (DATABASE_URL, default 127.0.0.1:5432) and a real Redis
(REDIS_URL); nothing here swaps them for in-memory stand-ins.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("FAST_PASSWORD_HASHING", "1")
os.environ.setdefault("MSP_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CACHE_KEY_PREFIX", f"msp-test-{os.getpid()}")

from msp_portal.settings import *  # noqa: F403
from msp_portal.settings import CACHES, LOGGING

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A queue of this test run's own, so a developer's running worker never takes test tasks.
CELERY_TASK_DEFAULT_QUEUE = f"tests-{os.getpid()}"
CACHES["default"]["KEY_PREFIX"] = os.environ["CACHE_KEY_PREFIX"]
LOGGING["root"]["level"] = os.environ.get("TEST_LOG_LEVEL", "WARNING")  # type: ignore[index]
AXES_FAILURE_LIMIT = 3
