"""Reading an ingest body: JSON → a batch id and typed items, or every problem found.

Pure (no database): the view calls it after the signature is verified. Each item is
checked on its own, so the answer names every bad item with every problem
(`{"field", "code", "message"}`), not only the first. Unknown fields are refused rather
than ignored: a misspelt `protection_staus` must not silently leave a device "not reported".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.infrastructure.device_reports import (
    REPORTED_PATCH,
    REPORTED_PROTECTION,
    DeviceReport,
    field_limit,
)
from services.infrastructure.models import DeviceType
from services.infrastructure.monitoring import MAX_FUTURE_SKEW_SECONDS, CheckResultIn
from services.infrastructure.monitoring_models import ResultStatus

BATCH_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
MONITOR_KEY_MAX = 64
MESSAGE_MAX = 4_000  # longer output is refused; monitoring keeps the first 300 characters
LATENCY_MAX_MS = 24 * 60 * 60 * 1000
# Results older than this are refused: they can change nothing any more and usually mean a
# broken clock or a stuck agent queue.
MAX_AGE = timedelta(days=30)

CHECK_FIELDS = {"kind", "monitor", "status", "observed_at", "latency_ms", "message"}
DEVICE_FIELDS = {
    "kind",
    "serial",
    "hostname",
    "device_type",
    "os",
    "os_version",
    "protection_status",
    "protection_product",
    "patch_status",
    "last_seen_at",
    "observed_at",
}


class PayloadError(Exception):
    """The body as a whole is unusable (not JSON, not an object, no items...)."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class Batch:
    batch_id: str
    checks: list[tuple[int, CheckResultIn]] = field(default_factory=list)
    devices: list[tuple[int, DeviceReport]] = field(default_factory=list)
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    item_count: int = 0


def parse_json(body: bytes) -> Any:
    if b"\x00" in body:
        raise PayloadError("nul_byte", "The body contains a NUL byte; send UTF-8 JSON without NUL bytes.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("malformed_json", "The body is not valid UTF-8.") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise PayloadError("malformed_json", "The body is not valid JSON.") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_batch(data: Any, *, now: datetime, max_items: int) -> Batch:
    """The batch, with every item's problems; `PayloadError` when the envelope is wrong."""
    if not isinstance(data, dict):
        raise PayloadError(
            "invalid_body", 'The body must be a JSON object: {"batch_id": ..., "items": [...]}.'
        )
    unknown = sorted(set(data) - {"batch_id", "items"})
    if unknown:
        raise PayloadError("unknown_field", f"Unknown field(s) {', '.join(map(repr, unknown))} in the body.")
    batch_id = data.get("batch_id")
    if not isinstance(batch_id, str) or not BATCH_ID_PATTERN.match(batch_id):
        raise PayloadError(
            "invalid_batch_id",
            "batch_id is required: 1–100 characters of letters, digits, '.', '_', ':' or '-', "
            "unique per batch.",
        )
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise PayloadError("invalid_items", "items must be a non-empty list.")
    if len(items) > max_items:
        raise PayloadError(
            "too_many_items", f"A batch holds at most {max_items} items; split it.", status=413
        )
    batch = Batch(batch_id=batch_id, item_count=len(items))
    for index, item in enumerate(items):
        problems: list[Problem] = []
        reader = _Reader(item, problems, now)
        if not isinstance(item, dict):
            problems.append(Problem("", "invalid", "Each item must be a JSON object."))
        else:
            kind = item.get("kind")
            if kind == "check":
                check = reader.check()
                if check is not None and not problems:
                    batch.checks.append((index, check))
            elif kind == "device":
                device = reader.device()
                if device is not None and not problems:
                    batch.devices.append((index, device))
            elif kind is None:
                problems.append(Problem("kind", "required", 'Say what the item is: "check" or "device".'))
            else:
                problems.append(Problem("kind", "invalid_choice", 'kind must be "check" or "device".'))
        if problems:
            batch.problems[index] = problems
    return batch


class _Reader:
    """Reads one item's fields, collecting problems instead of stopping at the first."""

    def __init__(self, item: Any, problems: list[Problem], now: datetime):
        self.item = item
        self.problems = problems
        self.now = now

    def problem(self, name: str, code: str, message: str) -> None:
        self.problems.append(Problem(name, code, message))

    def unknown(self, allowed: set[str]) -> None:
        for name in sorted(set(self.item) - allowed):
            self.problem(name, "unknown_field", f"Unknown field {name!r}.")

    def text(self, name: str, limit: int, *, required: bool = False) -> str:
        value = self.item.get(name)
        if value is None:
            if required:
                self.problem(name, "required", f"{name} is required.")
            return ""
        if not isinstance(value, str):
            self.problem(name, "invalid", f"{name} must be a string.")
            return ""
        if "\x00" in value:
            self.problem(name, "nul_byte", f"{name} contains a NUL character (\\u0000).")
            return ""
        if any(ord(char) < 32 and char not in "\t\n\r" for char in value):
            self.problem(name, "invalid", f"{name} contains control characters.")
            return ""
        value = value.strip()
        if required and not value:
            self.problem(name, "required", f"{name} must not be empty.")
        if len(value) > limit:
            self.problem(name, "too_long", f"{name} has at most {limit} characters.")
            return ""
        return value

    def choice(self, name: str, choices: tuple[str, ...] | list[str], *, required: bool = False) -> str:
        value = self.text(name, 40, required=required)
        if value and value not in choices:
            self.problem(name, "invalid_choice", f"{name} must be one of: {', '.join(choices)}.")
            return ""
        return value

    def moment(self, name: str, default: datetime | None) -> datetime | None:
        value = self.item.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or "\x00" in value or len(value) > 40:
            self.problem(name, "invalid", f"{name} must be an ISO 8601 time with a UTC offset.")
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problem(name, "invalid", f"{name} must be an ISO 8601 time with a UTC offset.")
            return None
        if moment.tzinfo is None:
            self.problem(name, "invalid", f"{name} needs a UTC offset (e.g. 2026-12-03T18:00:00Z).")
            return None
        if moment > self.now + timedelta(seconds=MAX_FUTURE_SKEW_SECONDS):
            self.problem(name, "out_of_range", f"{name} is in the future; check the agent's clock.")
            return None
        if moment < self.now - MAX_AGE:
            self.problem(name, "out_of_range", f"{name} is more than {MAX_AGE.days} days old.")
            return None
        return moment

    def check(self) -> CheckResultIn | None:
        self.unknown(CHECK_FIELDS)
        monitor = self.text("monitor", MONITOR_KEY_MAX, required=True)
        status = self.choice("status", ResultStatus.values, required=True)
        observed_at = self.moment("observed_at", self.now)
        latency = self.item.get("latency_ms")
        if latency is not None and (
            isinstance(latency, bool) or not isinstance(latency, int) or not 0 <= latency <= LATENCY_MAX_MS
        ):
            self.problem(
                "latency_ms", "out_of_range", f"latency_ms must be a whole number 0–{LATENCY_MAX_MS}."
            )
            latency = None
        message = self.text("message", MESSAGE_MAX)
        if observed_at is None or not monitor or not status:
            return None
        return CheckResultIn(
            status=status, observed_at=observed_at, monitor_key=monitor, latency_ms=latency, message=message
        )

    def device(self) -> DeviceReport | None:
        self.unknown(DEVICE_FIELDS)
        serial = self.text("serial", field_limit("serial"), required=True)
        hostname = self.text("hostname", field_limit("name"), required=True)
        device_type = self.choice("device_type", DeviceType.values)
        os_name = self.text("os", field_limit("os"))
        os_version = self.text("os_version", field_limit("os_version"))
        protection = self.choice("protection_status", REPORTED_PROTECTION)
        product = self.text("protection_product", field_limit("protection_product"))
        if product and not protection:
            self.problem("protection_product", "invalid", "protection_product needs protection_status.")
        patch = self.choice("patch_status", REPORTED_PATCH)
        observed_at = self.moment("observed_at", self.now)
        last_seen_at = self.moment("last_seen_at", None)
        if observed_at is None or not serial or not hostname:
            return None
        return DeviceReport(
            serial=serial,
            hostname=hostname,
            observed_at=observed_at,
            last_seen_at=last_seen_at,
            device_type=device_type,
            os=os_name,
            os_version=os_version,
            protection_status=protection,
            protection_product=product,
            patch_status=patch,
        )
