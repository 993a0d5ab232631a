"""POST /api/ingest/v1/results: authentication, replay, limits and bad input, each a clear
4xx with nothing written; device state written into the token's client only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django_tenants.utils import schema_context

from services.infrastructure.models import Device
from services.ingest.actions import revoke_token
from services.ingest.models import IngestBatch, IngestToken
from tenants.models import Client, ClientStatus
from tests.conftest import World, client_host
from tests.services.ingest.helpers import NOW, URL, device_item


def back_to_public() -> None:
    """Leave the schema the last request switched to (as a new request would)."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def devices_of(client: Client) -> list[tuple[str, str, str, str]]:
    with schema_context(client.schema_name):
        return list(
            Device.objects.order_by("serial").values_list(
                "serial", "name", "protection_status", "patch_status"
            )
        )


def nothing_written(*clients: Client) -> None:
    for client in clients:
        assert devices_of(client) == []
        assert not IngestBatch.objects.filter(client=client).exists()


def batch(*items, batch_id: str = "b-1") -> dict:
    return {"batch_id": batch_id, "items": list(items)}


# ------------------------------------------------------------------------ accepted


def test_a_signed_batch_is_stored_and_each_item_is_listed(world: World, sender) -> None:
    rmm = sender(world.a)
    response = rmm.post(
        batch(
            device_item(
                "SN-1", protection_status="protected", protection_product="Defender", patch_status="current"
            ),
            device_item("SN-2", protection_status="missing", patch_status="overdue", device_type="server"),
        )
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == 2 and body["rejected"] == 0
    assert body["items"] == [{"index": 0, "status": "accepted"}, {"index": 1, "status": "accepted"}]
    assert response["RateLimit-Limit"] == str(settings.INGEST_RATE_LIMIT_REQUESTS)
    assert devices_of(world.a) == [
        ("SN-1", "host-sn-1", "protected", "current"),
        ("SN-2", "host-sn-2", "missing", "overdue"),
    ]
    token = IngestToken.objects.get(key_id=rmm.key_id)
    assert token.last_used_at == NOW
    stored = IngestBatch.objects.get(client=world.a, batch_id="b-1")
    assert (stored.item_count, stored.device_count, stored.token_id) == (2, 2, token.pk)


def test_the_client_is_the_tokens_on_its_own_host_and_the_msp_host(world: World, sender) -> None:
    rmm = sender(world.a)
    assert rmm.post(batch(device_item("SN-1"), batch_id="msp-host")).status_code == 200
    assert (
        rmm.post(batch(device_item("SN-2"), batch_id="own-host"), host=client_host(world.a)).status_code
        == 200
    )
    assert [row[0] for row in devices_of(world.a)] == ["SN-1", "SN-2"]
    assert devices_of(world.b) == []


def test_a_token_of_a_can_never_write_into_b(world: World, sender) -> None:
    """Neither through B's host nor by naming B in the body."""
    rmm = sender(world.a)
    on_b_host = rmm.post(batch(device_item("SN-1")), host=client_host(world.b))
    assert on_b_host.status_code == 403
    assert on_b_host.json()["error"]["code"] == "wrong_host"
    naming_b = rmm.post({**batch(device_item("SN-1")), "client": world.b.slug})
    assert naming_b.status_code == 400
    assert naming_b.json()["error"]["code"] == "unknown_field"
    nothing_written(world.a, world.b)
    # B's own token on B's host writes into B only.
    assert sender(world.b).post(batch(device_item("SN-B")), host=client_host(world.b)).status_code == 200
    assert [row[0] for row in devices_of(world.b)] == ["SN-B"]
    assert devices_of(world.a) == []


# -------------------------------------------------------------------- authentication


def test_a_bad_signature_is_refused(world: World, sender) -> None:
    rmm = sender(world.a)
    other = sender(world.a)  # a real secret, but of another token
    response = rmm.post(batch(device_item()), secret=other.secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    # The body signed, then changed in transit.
    signed = json.dumps(batch(device_item("SN-1"))).encode()
    from services.ingest import signing

    stamp = str(int(NOW.timestamp()))
    tampered = HttpClient().generic(
        "POST",
        URL,
        signed.replace(b"SN-1", b"SN-9"),
        content_type="application/json",
        HTTP_X_INGEST_KEY=rmm.key_id,
        HTTP_X_INGEST_TIMESTAMP=stamp,
        HTTP_X_INGEST_SIGNATURE=signing.sign(rmm.secret, stamp, signed),
    )
    assert tampered.status_code == 401
    assert tampered.json()["error"]["code"] == "bad_signature"
    nothing_written(world.a)


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"X-Ingest-Key": ""}, "missing_credentials"),
        ({"X-Ingest-Key": "ik_000000000000000000000000"}, "invalid_key"),
        ({"X-Ingest-Key": "ik_" + "x" * 5000}, "invalid_key"),
        ({"X-Ingest-Timestamp": "yesterday"}, "invalid_timestamp"),
        ({"X-Ingest-Signature": ""}, "missing_credentials"),
    ],
)
def test_missing_or_unknown_credentials_are_refused(world: World, sender, headers, code) -> None:
    response = sender(world.a).post(batch(device_item()), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    nothing_written(world.a)


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_a_timestamp_outside_the_window_is_refused(world: World, sender, offset) -> None:
    response = sender(world.a).post(batch(device_item()), timestamp=int(NOW.timestamp()) + offset)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "stale_timestamp"
    assert response.json()["server_time"] == int(NOW.timestamp())
    nothing_written(world.a)


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_at_the_edge_of_the_window_is_accepted(world: World, sender, offset) -> None:
    assert (
        sender(world.a).post(batch(device_item()), timestamp=int(NOW.timestamp()) + offset).status_code == 200
    )


def test_a_revoked_token_is_refused(world: World, sender) -> None:
    rmm = sender(world.a)
    token = IngestToken.objects.get(key_id=rmm.key_id)
    revoke_token(token.pk, actor=world.admin, clients=[world.a.pk])
    response = rmm.post(batch(device_item()))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_key"
    nothing_written(world.a)


@pytest.mark.parametrize("status", [ClientStatus.SUSPENDED, ClientStatus.OFFBOARDED])
def test_an_inactive_clients_token_is_refused(world: World, sender, status) -> None:
    rmm = sender(world.a)
    Client.objects.filter(pk=world.a.pk).update(status=status)
    response = rmm.post(batch(device_item()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "client_inactive"
    nothing_written(world.a)


def test_secrets_from_a_fallback_secret_key_still_verify(world: World, sender, settings) -> None:
    rmm = sender(world.a)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-rotated-secret-key-for-this-test"
    assert rmm.post(batch(device_item())).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    response = rmm.post(batch(device_item(), batch_id="b-2"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"


# ------------------------------------------------------------------------- replays


def test_a_replayed_batch_is_refused_and_writes_nothing_again(world: World, sender) -> None:
    rmm = sender(world.a)
    payload = batch(device_item("SN-1", patch_status="current"))
    assert rmm.post(payload).status_code == 200
    with schema_context(world.a.schema_name):
        Device.objects.update(patch_status="overdue")
    again = rmm.post(payload)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "batch_replayed"
    assert again.json()["first_received_at"] == NOW.isoformat()
    with schema_context(world.a.schema_name):
        assert Device.objects.get().patch_status == "overdue"
    different = rmm.post(batch(device_item("SN-2"), batch_id="b-1"))
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "batch_id_reused"
    assert [row[0] for row in devices_of(world.a)] == ["SN-1"]


def test_batch_ids_are_per_client(world: World, sender) -> None:
    assert sender(world.a).post(batch(device_item())).status_code == 200
    assert sender(world.b).post(batch(device_item())).status_code == 200


def test_a_refused_batch_does_not_use_up_its_id(world: World, sender) -> None:
    rmm = sender(world.a)
    assert rmm.post(batch(device_item("SN-1", patch_status="nope"))).status_code == 400
    assert rmm.post(batch(device_item("SN-1", patch_status="current"))).status_code == 200


def test_batch_ids_are_forgotten_after_the_keep_period(world: World, sender) -> None:
    from services.ingest.actions import prune_batches

    assert sender(world.a).post(batch(device_item())).status_code == 200
    keep = timedelta(hours=settings.INGEST_BATCH_KEEP_HOURS)
    assert prune_batches(now=NOW + keep) == 0
    assert prune_batches(now=NOW + keep + timedelta(seconds=1)) == 1
    assert not IngestBatch.objects.filter(client=world.a).exists()


# --------------------------------------------------------------------- bad input


def test_oversize_bodies_are_refused_before_reading(world: World, sender, settings) -> None:
    settings.INGEST_MAX_BODY_BYTES = 2_000
    items = [device_item(f"SN-{n}", hostname="h" * 100) for n in range(20)]
    response = sender(world.a).post(batch(*items))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    nothing_written(world.a)


def test_too_many_items_are_refused(world: World, sender, settings) -> None:
    settings.INGEST_MAX_ITEMS = 3
    response = sender(world.a).post(batch(*[device_item(f"SN-{n}") for n in range(4)]))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_items"
    nothing_written(world.a)


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("application/json; charset=latin-1", 415),
    ],
)
def test_a_body_that_is_not_json_is_refused(world: World, sender, content_type, status) -> None:
    response = sender(world.a).post(batch(device_item()), content_type=content_type)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"batch_id": "b-1", "items": [', "malformed_json"),
        (b'{"batch_id": "b-1",\x00 "items": []}', "nul_byte"),
        (b"\xff\xfe{}", "malformed_json"),
        (b'{"batch_id": "b-1", "items": [{"kind": "device", "serial": NaN}]}', "malformed_json"),
        (b"[1, 2]", "invalid_body"),
        (b'{"batch_id": "b\\u0000", "items": [{}]}', "invalid_batch_id"),
        (b'{"batch_id": "", "items": [{}]}', "invalid_batch_id"),
        (b'{"batch_id": "b-1", "items": []}', "invalid_items"),
        (b'{"batch_id": "b-1", "items": {"kind": "device"}}', "invalid_items"),
        (b"[" * 100_000 + b"]" * 100_000, "malformed_json"),
    ],
)
def test_a_malformed_body_is_a_400(world: World, sender, settings, raw, code) -> None:
    settings.INGEST_MAX_BODY_BYTES = 300_000
    response = sender(world.a).post(None, raw=raw)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    nothing_written(world.a)


def test_bad_items_are_each_named_and_nothing_is_stored(world: World, sender) -> None:
    response = sender(world.a).post(
        batch(
            device_item("SN-OK", protection_status="protected"),
            device_item("SN-\u0000", hostname="x"),
            {"kind": "device", "hostname": "h" * 500, "protection_staus": "protected"},
            {"kind": "toaster"},
            "not an object",
            device_item("SN-3", observed_at="2026-12-03T18:00:00", last_seen_at="yesterday"),
            device_item(
                "SN-4", observed_at="2027-01-01T00:00:00Z", patch_status="CURRENT", device_type="fridge"
            ),
            device_item("SN-5", protection_product="Defender", os=7),
        )
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_items"
    assert body["accepted"] == 0 and body["rejected"] == 7
    items = {item["index"]: item for item in body["items"]}
    assert items[0] == {"index": 0, "status": "not_stored"}

    def codes(index: int) -> set[tuple[str, str]]:
        assert items[index]["status"] == "rejected"
        return {(error["field"], error["code"]) for error in items[index]["errors"]}

    assert codes(1) == {("serial", "nul_byte")}
    assert codes(2) == {
        ("serial", "required"),
        ("hostname", "too_long"),
        ("protection_staus", "unknown_field"),
    }
    assert codes(3) == {("kind", "invalid_choice")}
    assert codes(4) == {("", "invalid")}
    assert codes(5) == {("observed_at", "invalid"), ("last_seen_at", "invalid")}
    assert codes(6) == {
        ("observed_at", "out_of_range"),
        ("patch_status", "invalid_choice"),
        ("device_type", "invalid_choice"),
    }
    assert codes(7) == {("protection_product", "invalid"), ("os", "invalid")}
    nothing_written(world.a)


def test_only_post_is_answered(world: World) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


# ---------------------------------------------------------------------- rate limit


def test_the_rate_limit_is_per_client_with_retry_after(world: World, sender, settings, monkeypatch) -> None:
    """A fixed window in the real Redis; the clock is moved, never slept on."""
    from services.ingest import views

    settings.INGEST_RATE_LIMIT_REQUESTS = 3
    settings.INGEST_RATE_LIMIT_WINDOW_SECONDS = 60
    a, b = sender(world.a), sender(world.b)
    for n in range(3):
        assert a.post(batch(device_item(), batch_id=f"a-{n}")).status_code == 200
    refused = a.post(batch(device_item(), batch_id="a-3"))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    # NOW is 10 s into its minute: the window ends in 50 s.
    assert refused["Retry-After"] == "50"
    assert not IngestBatch.objects.filter(client=world.a, batch_id="a-3").exists()
    # Another token of the same client shares the client's limit; B has its own.
    assert sender(world.a).post(batch(device_item(), batch_id="a-4")).status_code == 429
    assert b.post(batch(device_item())).status_code == 200
    # The next window lets A through again.
    later = NOW + timedelta(seconds=50)
    monkeypatch.setattr(views, "clock", lambda: later)
    assert a.post(batch(device_item(), batch_id="a-3"), timestamp=int(later.timestamp())).status_code == 200


def test_without_redis_the_rate_limit_lets_requests_through(
    world: World, sender, settings, monkeypatch
) -> None:
    from core import ratelimit

    settings.INGEST_RATE_LIMIT_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.INGEST_RATE_LIMIT_REQUESTS = 1
    rmm = sender(world.a)
    assert rmm.post(batch(device_item(), batch_id="x-1")).status_code == 200
    assert rmm.post(batch(device_item(), batch_id="x-2")).status_code == 200
    ratelimit._skip_until.clear()


# ---------------------------------------------------------------------- query count


def test_a_batch_costs_a_constant_number_of_queries(world: World, sender, django_assert_num_queries) -> None:
    rmm = sender(world.a)
    # Warm up: the first request loads the client's domain and content types.
    assert rmm.post(batch(device_item("SN-0"), batch_id="warm")).status_code == 200
    back_to_public()

    def send(size: int, batch_id: str) -> None:
        items = [device_item(f"{batch_id}-{n}", patch_status="current") for n in range(size)]
        assert rmm.post(batch(*items, batch_id=batch_id)).status_code == 200
        back_to_public()

    with django_assert_num_queries(14) as one:
        send(1, "one")
    with django_assert_num_queries(len(one.captured_queries)):
        send(100, "hundred")
    # Known devices again (no registration): the same count minus the insert and re-read.
    items = [device_item(f"hundred-{n}", patch_status="pending") for n in range(100)]
    with django_assert_num_queries(len(one.captured_queries) - 2):
        assert rmm.post(batch(*items, batch_id="again")).status_code == 200
