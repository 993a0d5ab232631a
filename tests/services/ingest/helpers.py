"""Signed ingest requests for the tests (as an RMM sends them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.test import Client as HttpClient

from services.ingest import signing

NOW = datetime(2026, 12, 3, 18, 0, 10, tzinfo=UTC)
URL = "/api/ingest/v1/results"


@dataclass
class Sender:
    """Posts signed batches with one token, to one host."""

    key_id: str
    secret: str
    host: str = "testserver"

    def post(
        self,
        payload: Any,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        host: str | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Any:
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = str(int(NOW.timestamp()) if timestamp is None else timestamp)
        signature = signing.sign(secret or self.secret, stamp, body)
        http = HttpClient(HTTP_HOST=host or self.host)
        extra: dict[str, Any] = {
            "HTTP_X_INGEST_KEY": self.key_id,
            "HTTP_X_INGEST_TIMESTAMP": stamp,
            "HTTP_X_INGEST_SIGNATURE": signature,
        }
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        return http.generic("POST", URL, body, content_type=content_type, **extra)


def device_item(serial: str = "SN-1", **fields: Any) -> dict[str, Any]:
    return {
        "kind": "device",
        "serial": serial,
        "hostname": fields.pop("hostname", f"host-{serial.lower()}"),
        **fields,
    }
