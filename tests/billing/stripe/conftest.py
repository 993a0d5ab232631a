"""Fixtures of the Stripe tests: a real localstripe server on loopback, the stripe client
pointed at it, and helpers to sign webhook events with the test secret."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_portal_secret"
API_KEY = "sk_test_portal"
SERVER = Path(__file__).with_name("localstripe_server.py")


@dataclass
class LocalStripe:
    """A localstripe process started for this test session."""

    base: str

    def requests(self) -> list[dict[str, Any]]:
        """Every API request the server has seen (method, path, idempotency key, body)."""
        with urllib.request.urlopen(f"{self.base}/_test/requests", timeout=5) as response:
            return json.load(response)  # type: ignore[no-any-return]

    def clear_requests(self) -> None:
        request = urllib.request.Request(f"{self.base}/_test/requests", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def client(self) -> stripe.StripeClient:
        """A stripe client of our own (not the portal's) to act as Stripe's dashboard would."""
        return stripe.StripeClient(API_KEY, base_addresses={"api": self.base}, max_network_retries=0)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe on 127.0.0.1 and a port the kernel picked; stopped at the end."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("LOCALSTRIPE_PORT="):
            rest = process.stdout.read() if process.poll() is not None else ""
            raise RuntimeError(f"localstripe did not start: {line}\n{rest}")
        base = f"http://127.0.0.1:{line.split('=', 1)[1]}"
        # The port is bound before the line is printed; wait until the app answers.
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/_test/requests", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield LocalStripe(base=base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stripe_settings(settings: Any, localstripe: LocalStripe) -> LocalStripe:
    """The portal configured for Stripe, talking to localstripe."""
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.base
    localstripe.clear_requests()
    return localstripe


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`, as Stripe computes it."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
    return f"t={stamp},v1={signature}"
