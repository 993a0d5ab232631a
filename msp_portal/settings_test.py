"""Settings for the test suite: the real settings with test-only defaults.

Tests use a real PostgreSQL (DATABASE_URL, default 127.0.0.1:5432) and a real Redis
(REDIS_URL); nothing here swaps them for in-memory stand-ins.

Every name a run creates on those shared servers or on disk carries the run's id (the
pytest process id), so two test runs on one machine never meet: the test database
(`test_<database>_<pid>`, unless TEST_DATABASE_NAME names one), the cache key prefix, the
Celery queue and the media folder. tests/conftest.py removes what is left of them when
the run ends.
"""

import os
import tempfile
from pathlib import Path

RUN_ID = str(os.getpid())

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("FAST_PASSWORD_HASHING", "1")
os.environ.setdefault("MSP_HOSTS", "testserver,localhost,127.0.0.1")

from msp_portal.settings import *  # noqa: E402, F403
from msp_portal.settings import CACHES, DATABASES, LOGGING  # noqa: E402

# PostgreSQL identifiers are at most 63 bytes; keep the run id, shorten the base name.
_run_suffix = f"_{RUN_ID}"
TEST_DATABASE_NAME = os.environ.get("TEST_DATABASE_NAME") or (
    f"test_{DATABASES['default']['NAME']}"[: 63 - len(_run_suffix)] + _run_suffix
)
DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A queue of this test run's own, so a developer's running worker (or another test run)
# never takes this run's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"tests-{RUN_ID}"
# Whatever prefix the environment sets for the portal, this run's cache keys are its own.
CACHES["default"]["KEY_PREFIX"] = f"msp-test-{RUN_ID}"
CACHES["shared"]["KEY_PREFIX"] = f"msp-test-{RUN_ID}-shared"
# Uploads of this run go to a folder of its own, removed when the run ends.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"msp-test-media-{RUN_ID}"
CLIENT_ARCHIVE_ROOT = MEDIA_ROOT / "client-archives"
LOGGING["root"]["level"] = os.environ.get("TEST_LOG_LEVEL", "WARNING")  # type: ignore[index]
AXES_FAILURE_LIMIT = 3
