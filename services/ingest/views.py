"""`POST /api/ingest/v1/results`: an RMM or agent pushes one client's check results and
device state (docs/ingest.md is the vendor-facing description).

Checks, in this order, each refusal a JSON error `{"error": {"code", "message"}}`:

    405 not POST · 415 not application/json · 413 body over INGEST_MAX_BODY_BYTES ·
    401 missing/unknown/revoked key, bad timestamp, timestamp outside ±INGEST_TIMESTAMP_TOLERANCE
    seconds, bad signature · 403 another client's portal host, client not active ·
    429 client over its rate limit (Retry-After) · 400 body not JSON / NUL byte / bad envelope /
    bad items (every item's problems, nothing stored) · 413 too many items ·
    409 batch id already received · 200 every item stored.

The client is the token's. The request's host only matters to refuse a client host that
is not the token's client's (a misconfigured RMM), and nothing in the body names a client.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from core.request_id import current_request_id
from services.ingest import ratelimit, signing
from services.ingest.actions import BatchReplayed, ItemsRejected, receive_batch
from services.ingest.models import IngestToken
from services.ingest.payload import Batch, PayloadError, Problem, parse_batch, parse_json
from tenants.request_scope import host_client

logger = logging.getLogger(__name__)

KEY_HEADER = "X-Ingest-Key"
TIMESTAMP_HEADER = "X-Ingest-Timestamp"
SIGNATURE_HEADER = "X-Ingest-Signature"


def clock() -> datetime:
    """The current time (tests replace it with a fixed one)."""
    return timezone.now()


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    body = {"error": {"code": code, "message": message}, "request_id": current_request_id(), **extra}
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _read_body(request: HttpRequest) -> bytes:
    limit = int(settings.INGEST_MAX_BODY_BYTES)
    too_big = Refusal(413, "body_too_large", f"The body is larger than {limit} bytes; send smaller batches.")
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared:
        try:
            if int(declared) > limit:
                raise too_big
        except ValueError:
            raise Refusal(400, "invalid_content_length", "Content-Length is not a number.") from None
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    return body


def _authenticate(request: HttpRequest, body: bytes, now: datetime) -> IngestToken:
    key_id = request.headers.get(KEY_HEADER, "").strip()
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    if not key_id or not timestamp or not signature:
        raise Refusal(
            401,
            "missing_credentials",
            f"Send the {KEY_HEADER}, {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers.",
        )
    token = None
    if len(key_id) <= 40 and key_id.isascii():
        token = IngestToken.objects.select_related("client").filter(key_id=key_id).first()
    if token is None or token.revoked_at is not None:
        raise Refusal(401, "invalid_key", "Unknown or revoked ingest key.")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Refusal(401, "invalid_timestamp", f"{TIMESTAMP_HEADER} must be Unix time in whole seconds.")
    skew = abs(now.timestamp() - int(timestamp))
    tolerance = int(settings.INGEST_TIMESTAMP_TOLERANCE_SECONDS)
    if skew > tolerance:
        raise Refusal(
            401,
            "stale_timestamp",
            f"{TIMESTAMP_HEADER} is {int(skew)} s away from the server's clock (at most {tolerance} s): "
            "sign each request when it is sent and keep the clock in sync (NTP).",
            server_time=int(now.timestamp()),
        )
    if not signing.signature_matches(
        signing.candidate_secrets(token.key_id, token.secret_nonce), timestamp, body, signature
    ):
        raise Refusal(401, "bad_signature", "The signature does not match the body and timestamp.")
    return token


def _authorise(request: HttpRequest, token: IngestToken) -> None:
    on_host = host_client(request)
    if on_host is not None and on_host.pk != token.client_id:
        raise Refusal(
            403, "wrong_host", "This key belongs to another client: send it to the MSP's portal host."
        )
    if not token.client.is_live:
        raise Refusal(403, "client_inactive", "This client is suspended or offboarded; nothing is accepted.")


def _item_results(batch: Batch, problems: dict[int, list[Problem]], ok_status: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for index in range(batch.item_count):
        if index in problems:
            errors = [problem.as_json() for problem in problems[index]]
            results.append({"index": index, "status": "rejected", "errors": errors})
        else:
            results.append({"index": index, "status": ok_status})
    return results


def _rejected(batch: Batch, problems: dict[int, list[Problem]]) -> JsonResponse:
    count = len(problems)
    return _error(
        400,
        "invalid_items",
        f"{count} of {batch.item_count} items are invalid; nothing was stored. Fix them and send the batch "
        "again (the same batch_id may be used).",
        batch_id=batch.batch_id,
        accepted=0,
        rejected=count,
        items=_item_results(batch, problems, "not_stored"),
    )


@csrf_exempt
def receive_results(request: HttpRequest) -> HttpResponse:
    now = clock()
    try:
        if request.method != "POST":
            response = _error(405, "method_not_allowed", "Use POST.")
            response["Allow"] = "POST"
            return response
        if request.content_type != "application/json" or request.encoding not in (None, "utf-8", "UTF-8"):
            raise Refusal(415, "unsupported_media_type", "Send Content-Type: application/json (UTF-8).")
        body = _read_body(request)
        token = _authenticate(request, body, now)
        _authorise(request, token)
        decision = ratelimit.take(token.client_id, now=now.timestamp())
        limit_headers = {
            "RateLimit-Limit": str(decision.limit),
            "RateLimit-Remaining": str(decision.remaining),
            "RateLimit-Reset": str(decision.retry_after),
        }
        if not decision.allowed:
            raise Refusal(
                429,
                "rate_limited",
                f"More than {decision.limit} requests in {settings.INGEST_RATE_LIMIT_WINDOW_SECONDS} s; "
                f"retry in {decision.retry_after} s.",
                headers={**limit_headers, "Retry-After": str(decision.retry_after)},
            )
        batch = parse_batch(parse_json(body), now=now, max_items=int(settings.INGEST_MAX_ITEMS))
        if batch.problems:
            return _rejected(batch, batch.problems)
        try:
            received = receive_batch(token, batch, body_sha256=hashlib.sha256(body).hexdigest(), now=now)
        except ItemsRejected as exc:
            return _rejected(batch, exc.problems)
        except BatchReplayed as exc:
            first = exc.first.received_at.isoformat()
            if exc.same_body:
                raise Refusal(
                    409,
                    "batch_replayed",
                    f"Batch {batch.batch_id!r} was already accepted at {first}; nothing was stored again.",
                    batch_id=batch.batch_id,
                    first_received_at=first,
                ) from None
            raise Refusal(
                409,
                "batch_id_reused",
                f"batch_id {batch.batch_id!r} was used for a different batch at {first}; "
                "give every batch its own id.",
                batch_id=batch.batch_id,
                first_received_at=first,
            ) from None
    except PayloadError as exc:
        _log_refusal(request, exc.status, exc.code)
        return _error(exc.status, exc.code, exc.message)
    except Refusal as exc:
        _log_refusal(request, exc.status, exc.code)
        headers = exc.extra.pop("headers", None)
        return _error(exc.status, exc.code, exc.message, headers, **exc.extra)
    response = JsonResponse(
        {
            "batch_id": batch.batch_id,
            "accepted": batch.item_count,
            "rejected": 0,
            "items": _item_results(batch, {}, "accepted"),
            "request_id": current_request_id(),
        }
    )
    for name, value in limit_headers.items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    logger.info(
        "ingest batch accepted",
        extra={
            "client_id": token.client_id,
            "batch_id": batch.batch_id,
            "checks": len(batch.checks),
            "devices": received.devices.updated + received.devices.registered,
            "devices_registered": received.devices.registered,
        },
    )
    return response


def _log_refusal(request: HttpRequest, status: int, code: str) -> None:
    logger.info("ingest request refused", extra={"status": status, "code": code})
