"""Django's database sessions (`SESSION_ENGINE`), with the per-request read as a fixed SQL text.

Every signed-in request reads its session row. The ORM compiled that same lookup anew each
time (about two thirds of its CPU); this reads the same row — same key, same expiry test — with
one statement written once from the model's columns. Writes, deletes and everything else are
Django's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    _sql: dict[str, str] = {}

    def _read_sql(self, alias: str) -> str:
        sql = self._sql.get(alias)
        if sql is None:
            model = self.model
            quote = connections[alias].ops.quote_name
            key = quote(model._meta.get_field("session_key").column)
            data = quote(model._meta.get_field("session_data").column)
            expiry = quote(model._meta.get_field("expire_date").column)
            table = quote(model._meta.db_table)
            # Names from the model's metadata only; the values are parameters.
            sql = self._sql[alias] = (
                f"SELECT {data}, {expiry} FROM {table} WHERE {key} = %s AND {expiry} > %s"  # noqa: S608
            )
        return sql

    def _get_session_from_db(self) -> Any:
        if not self.session_key:
            self._session_key = None
            return None
        alias = router.db_for_read(self.model)
        with connections[alias].cursor() as cursor:
            cursor.execute(self._read_sql(alias), [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django does for a missing or expired session
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
