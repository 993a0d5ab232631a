"""The built-in checks: HTTP(S), TCP port, and a heartbeat's missed deadline.

Each check is a plain function of the monitor's settings that returns a `CheckOutcome`
and never raises for what the network does (refused, reset, timed out, bad certificate,
unknown host): those are "down" results with a message a technician can act on. Every
check is bounded by the monitor's timeout, end to end.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

# How much of a body is searched for the keyword (a health page, not a download).
MAX_BODY_BYTES = 1_048_576
USER_AGENT = "MSP-Portal-Monitor/1.0"


@dataclass(frozen=True)
class CheckOutcome:
    status: str  # "up", "degraded" or "down"
    latency_ms: int | None
    message: str
    cert_expires_at: datetime | None = None


def _elapsed_ms(started: float) -> int:
    return max(0, int((time.monotonic() - started) * 1000))


def _network_error(error: BaseException, timeout: float) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return f"Timed out after {timeout:g} s."
    if isinstance(error, socket.gaierror):
        return "Host not found (DNS)."
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"Certificate not trusted: {error.verify_message or 'verification failed'}."
    if isinstance(error, ssl.SSLError):
        return f"TLS handshake failed: {error.reason or 'error'}."
    if isinstance(error, ConnectionRefusedError):
        return "Connection refused."
    if isinstance(error, ConnectionResetError):
        return "Connection reset by the server."
    if isinstance(error, HTTPException):
        return "The server's answer is not valid HTTP."
    if isinstance(error, OSError):
        return f"Network error: {error.strerror or type(error).__name__}."
    return f"Check failed: {type(error).__name__}."


def check_http(
    target: str,
    *,
    timeout: float,
    expected_status: int | None = None,
    keyword: str = "",
    cert_warning_days: int = 14,
    now: datetime | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> CheckOutcome:
    """GET `target` (redirects are not followed: a 3xx is an answer). Up when the status
    is `expected_status` (any 2xx/3xx when None) and the body contains `keyword`; down
    otherwise; degraded when an HTTPS certificate expires within `cert_warning_days`.
    Certificates are verified against the system's trust store (or `ssl_context`)."""
    parts = urlsplit(target)
    host = parts.hostname or ""
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    started = time.monotonic()
    deadline = started + timeout
    connection: HTTPConnection
    if parts.scheme == "https":
        connection = HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl_context or ssl.create_default_context()
        )
    else:
        connection = HTTPConnection(host, parts.port, timeout=timeout)
    cert_expires_at = None
    try:
        connection.request(
            "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"}
        )
        if isinstance(connection.sock, ssl.SSLSocket):
            peer = connection.sock.getpeercert()
            if peer and peer.get("notAfter"):
                cert_expires_at = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(peer["notAfter"])), UTC)
        response = connection.getresponse()
        latency = _elapsed_ms(started)
        body = b""
        if keyword:
            while len(body) < MAX_BODY_BYTES:
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunk = response.read(min(65_536, MAX_BODY_BYTES - len(body)))
                if not chunk:
                    break
                body += chunk
        status = response.status
    except Exception as error:  # every failure of the network is a "down" result
        return CheckOutcome("down", None, _network_error(error, timeout), cert_expires_at)
    finally:
        connection.close()
    ok = status == expected_status if expected_status is not None else 200 <= status < 400
    if not ok:
        wanted = str(expected_status) if expected_status is not None else "2xx or 3xx"
        return CheckOutcome("down", latency, f"HTTP {status} (expected {wanted}).", cert_expires_at)
    if keyword and keyword.encode() not in body:
        return CheckOutcome(
            "down", latency, f'HTTP {status}, but "{keyword}" is not on the page.', cert_expires_at
        )
    now = now or datetime.now(UTC)
    if cert_expires_at is not None and cert_warning_days > 0:
        left = cert_expires_at - now
        if left < timedelta(days=cert_warning_days):
            days = max(0, left.days)
            return CheckOutcome(
                "degraded",
                latency,
                f"HTTP {status}; the certificate expires in {days} day{'s' if days != 1 else ''} "
                f"({cert_expires_at:%Y-%m-%d}).",
                cert_expires_at,
            )
    return CheckOutcome("up", latency, f"HTTP {status}.", cert_expires_at)


def split_host_port(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    return host.strip("[]"), int(port)


def check_tcp(target: str, *, timeout: float) -> CheckOutcome:
    """Open a TCP connection to host:port and close it: up when it is accepted."""
    host, port = split_host_port(target)
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except Exception as error:  # every failure of the network is a "down" result
        return CheckOutcome("down", None, _network_error(error, timeout))
    return CheckOutcome("up", _elapsed_ms(started), f"Port {port} accepts connections.")


def missed_heartbeat(last_ping_at: datetime | None, created_at: datetime) -> CheckOutcome:
    """The heartbeat's deadline passed without a ping."""
    if last_ping_at is None:
        return CheckOutcome(
            "down", None, f"No ping received since the monitor was added ({created_at:%Y-%m-%d %H:%M} UTC)."
        )
    return CheckOutcome("down", None, f"No ping since {last_ping_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC.")
