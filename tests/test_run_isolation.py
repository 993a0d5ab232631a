"""Two test runs on one machine never share a name: database, cache prefix, Celery queue,
media folder (per pytest process), and the browser tests' artifact folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]

NAMES_OF_A_RUN = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "msp_portal.settings_test"
os.environ.pop("TEST_DATABASE_NAME", None)
from django.conf import settings
print(json.dumps({
    "pid": os.getpid(),
    "database": settings.DATABASES["default"]["TEST"]["NAME"],
    "cache": settings.CACHES["default"]["KEY_PREFIX"],
    "queue": settings.CELERY_TASK_DEFAULT_QUEUE,
    "media": str(settings.MEDIA_ROOT),
}))
"""


def names_of_another_run() -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-c", NAMES_OF_A_RUN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_every_shared_name_carries_the_run_id(db):
    if os.environ.get("TEST_DATABASE_NAME"):
        pytest.skip("TEST_DATABASE_NAME names the test database explicitly")
    pid = str(os.getpid())
    assert connection.settings_dict["NAME"].endswith(f"_{pid}")
    assert connection.settings_dict["NAME"] == settings.DATABASES["default"]["TEST"]["NAME"]
    assert f"tests-{pid}" == settings.CELERY_TASK_DEFAULT_QUEUE
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"msp-test-{pid}"
    assert Path(settings.MEDIA_ROOT).name == f"msp-test-media-{pid}"


def test_two_runs_get_different_names():
    first, second = names_of_another_run(), names_of_another_run()
    assert first["pid"] != second["pid"]
    for key in ("database", "cache", "queue", "media"):
        assert first[key] != second[key], key
        assert str(first["pid"]) in first[key]


def test_browser_runs_keep_their_artifacts_apart_and_remove_ended_runs(tmp_path):
    from tests.e2e.harness import run_artifacts_dir

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    ended_pid = int(ended.stdout)
    (tmp_path / f"run-{ended_pid}").mkdir()  # a run that has finished
    (tmp_path / f"run-{os.getppid()}").mkdir()  # a run still going (this process's parent)
    (tmp_path / "notes").mkdir()
    mine = run_artifacts_dir(tmp_path)
    assert mine == tmp_path / f"run-{os.getpid()}"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([f"run-{os.getppid()}", "notes"])
