"""Fixtures of infrastructure tests: the real Celery worker of the shared package's tests."""

from tests.core.conftest import worker

__all__ = ["worker"]
