"""compose.yaml's beat health check, run for real: beat started with remote control answers
`celery inspect ping --destination celerybeat@$HOSTNAME` while its scheduler ticks, and the
same command fails when no beat answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import beat

from msp_portal.celery import app
from tests.test_deployment_files import beat_healthcheck_command

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.celery_worker


def run_check(hostname: str) -> subprocess.CompletedProcess[str]:
    """The health check's shell command, as the beat container runs it."""
    # The image's PATH has celery on it; here it is this interpreter's virtualenv.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "HOSTNAME": hostname, "PATH": path}
    return subprocess.run(
        ["/bin/sh", "-c", beat_healthcheck_command()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_beat_answers_the_compose_health_check_only_while_it_runs(tmp_path: Path) -> None:
    hostname = f"msp-beat-check-{os.getpid()}"  # its own node name on a shared broker
    # A file scheduler: the check is about beat's loop and remote control, not the schedule.
    service = beat.EmbeddedService(
        app,
        thread=True,
        remote_control=True,
        hostname=hostname,
        scheduler_cls="celery.beat:PersistentScheduler",
        schedule_filename=str(tmp_path / "schedule"),
    )
    service.start()
    try:
        # The remote-control thread binds its queue shortly after start: allow a few tries.
        for _ in range(3):
            healthy = run_check(hostname)
            if healthy.returncode == 0:
                break
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        assert f"celerybeat@{hostname}: OK" in healthy.stdout
    finally:
        service.stop()
        service.join(10)
    assert not service.is_alive()

    unhealthy = run_check(hostname)
    assert unhealthy.returncode != 0
    assert "No nodes replied" in unhealthy.stdout + unhealthy.stderr
