"""`core.sessions`: Django's database sessions, read with a fixed statement — same answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_project_uses_it():
    assert settings.SESSION_ENGINE == "core.sessions"


def test_a_saved_session_reads_back_in_one_statement():
    store = SessionStore()
    store["who"] = "tech"
    store.save()
    again = SessionStore(store.session_key)
    with CaptureQueriesContext(connection) as queries:
        assert again["who"] == "tech"
    assert len(queries) == 1
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_reads_as_empty_and_forgets_its_key():
    store = SessionStore()
    store["who"] = "tech"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    assert SessionStore(None).load() == {}
