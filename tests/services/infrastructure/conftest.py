"""Helpers of the infrastructure tests: CSV uploads and contacts of client A."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from services.directory.models import Contact
from tests.conftest import World


def b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def csv_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def in_a(world: World) -> Iterator[Any]:
    with tenant_context(world.a):
        yield world.a


@pytest.fixture
def contacts(in_a: Any) -> dict[str, Contact]:
    """Three contacts of client A (besides the members' own)."""
    return {
        key: Contact.objects.create(full_name=name, email=f"{key}@alpha.test")
        for key, name in (("ann", "Ann Archer"), ("bob", "Bob Baker"), ("cy", "Cy Cole"))
    }


# The real Celery worker of the shared package's tests (a client's checks run for real).
from tests.core.conftest import worker  # noqa: E402

__all__ = ["b64", "contacts", "csv_text", "in_a", "worker"]
