"""Settings of the e2e stack's own processes: the real settings, plus

- a Celery queue of this run's own (the queue name is not configurable through the
  environment), so another worker on the same Redis never takes this run's tasks and this
  run's worker never takes theirs;
- a snapshot of the front-end build, so a `vite build` while the tests run (new hashed
  asset names) cannot leave the browser with an index.html whose assets are not served;
- an outbox folder of this run's own for the mail it sends (the file-based backend is
  chosen through EMAIL_BACKEND; harness.Stack.mails() reads it).

Used only by the subprocesses that tests/e2e/conftest.py starts."""

import os
from pathlib import Path

from msp_portal.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["E2E_CELERY_QUEUE"]
FRONTEND_DIST = Path(os.environ["E2E_FRONTEND_DIST"])
STATICFILES_DIRS = [FRONTEND_DIST]
EMAIL_FILE_PATH = os.environ["E2E_OUTBOX"]
