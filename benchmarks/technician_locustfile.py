"""The locust side of `benchmarks/technician_load.py`: one technician's loop, as the SPA does it.

Not run on its own: `benchmarks.technician_load` signs the technicians in (password + TOTP code,
over HTTP), writes their session cookies to the file named by `TECHNICIAN_LOAD_SESSIONS` and
starts `locust -f benchmarks/technician_locustfile.py` against its gunicorn on loopback.

The GraphQL documents are read from `frontend/src/graphql/operations.ts` (fragments
interpolated), so the load is exactly the SPA's requests. One loop:

1. **queue page**: the operations `QueuePage.tsx` sends when it opens (`STEPS["queue page"]`):
   the queue (first 25 rows, soonest deadline first, with its total) and the client filter's
   options (which the SPA keeps for 5 minutes: sent on a technician's first visit, then once
   every 5 minutes; with `--plan baseline`, on every visit as the SPA did before);
2. think 0.5-1.5 s, then the **ticket page** of one of those rows: every operation the ticket
   page and the staff top bar send when it opens (`STEPS["ticket page"]`);
3. one loop in ten: think, then a public **reply** (`ReplyToTicket`, whose answer is the
   refreshed ticket: the SPA shows it without another request); think again.

Each request is reported under its operation name; each step, and the loop (steps only, think
time excluded), as `STEP` / `LOOP` entries. A request fails on a non-200 answer, GraphQL
`errors`, or typed mutation `errors`.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, task

from benchmarks.spa_operations import operation_name, spa_documents

QUEUE_ROWS = 25
CLIENT_OPTIONS_KEEP_S = 5 * 60  # QueuePage.tsx CLIENT_OPTIONS_KEEP_MS (the baseline asked every time)
REPLY_EVERY = 10  # one loop in ten posts a reply

# What each page sends when it opens, as (operation constant in operations.ts, variables). The
# variables are built per loop from the queue row picked (`slug`, `number`).
STEPS: dict[str, list[str]] = {
    # The client filter's options: kept by the SPA for CLIENT_OPTIONS_KEEP_S (QueuePage.tsx).
    "queue page": ["QUEUE_QUERY", "CLIENT_OPTIONS_QUERY"],
    "ticket page": ["TICKET_PAGE_QUERY"],
    "reply": ["REPLY_TO_TICKET_MUTATION"],
}
BASELINE_STEPS: dict[str, list[str]] = {
    # The client filter's options: kept by the SPA for CLIENT_OPTIONS_KEEP_S (QueuePage.tsx).
    "queue page": ["QUEUE_QUERY", "CLIENT_OPTIONS_QUERY"],
    "ticket page": [
        "TICKET_QUERY",
        "TICKET_SLA_POLICY_QUERY",
        "ASSIGNABLE_STAFF_QUERY",
        "TOPBAR_CLIENT_QUERY",
    ],
    "reply": ["REPLY_TO_TICKET_MUTATION"],
}


def variables_for(constant: str, slug: str, number: int) -> dict[str, Any]:
    """The variables the SPA sends with each operation (TicketPage, Shell, QueuePage, ReplyBox)."""
    if constant == "QUEUE_QUERY":
        return {"first": QUEUE_ROWS}
    if constant == "CLIENT_OPTIONS_QUERY":
        return {"first": 100}
    if constant == "TOPBAR_CLIENT_QUERY":
        return {"slug": slug}
    if constant == "REPLY_TO_TICKET_MUTATION":
        return {
            "number": number,
            "clientSlug": slug,
            "body": "Thanks, we're looking into it and will update you shortly.",
            "idempotencyKey": str(uuid.uuid4()),
        }
    if constant == "TICKET_PAGE_QUERY":
        return {"number": number, "clientSlug": slug, "isStaff": True}
    return {"number": number, "clientSlug": slug}


def _sessions() -> list[dict[str, Any]]:
    return json.loads(Path(os.environ["TECHNICIAN_LOAD_SESSIONS"]).read_text())  # type: ignore[no-any-return]


DOCUMENTS = spa_documents(
    {constant for plan in (STEPS, BASELINE_STEPS) for step in plan.values() for constant in step}
)
PLAN = BASELINE_STEPS if os.environ.get("TECHNICIAN_LOAD_PLAN") == "baseline" else STEPS
SESSIONS = _sessions() if os.environ.get("TECHNICIAN_LOAD_SESSIONS") else []
_next_session = count()


class Technician(HttpUser):
    """One signed-in technician working the queue."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        session = SESSIONS[next(_next_session) % len(SESSIONS)]
        host = urlsplit(self.host or "").hostname or ""
        for name, value in session["cookies"].items():
            self.client.cookies.set(name, value, domain=host, path="/")
        self.loops = 0
        self.options_at = -float("inf")
        self.rng = random.Random(session["email"])

    def _fire(self, kind: str, name: str, started: float, failed: str | None) -> None:
        self.environment.events.request.fire(
            request_type=kind,
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=Exception(failed) if failed else None,
            context={},
        )

    def _csrf_token(self) -> str:
        """The CSRF cookie's value, as the SPA reads it (the newest one if the jar has several)."""
        values = [cookie.value for cookie in self.client.cookies if cookie.name == "csrftoken"]
        return values[-1] or "" if values else ""

    def _post(self, constant: str, variables: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
        document = DOCUMENTS[constant]
        name = operation_name(document)
        with self.client.post(
            "/graphql/",
            data=json.dumps({"query": document, "variables": variables}),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self._csrf_token(),
                "Referer": self.host or "",
            },
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None, f"{name}: HTTP {response.status_code}"
            body = response.json()
            problem = None
            if body.get("errors"):
                problem = f"{name}: {body['errors'][0].get('message')}"
            else:
                for value in (body.get("data") or {}).values():
                    if isinstance(value, dict) and value.get("errors"):
                        problem = f"{name}: {value['errors']}"
            if problem:
                response.failure(problem)
                return None, problem
            response.success()
            return body["data"], None

    def _step(self, step: str, slug: str = "", number: int = 0) -> tuple[dict[str, Any], float, str | None]:
        started = time.perf_counter()
        merged: dict[str, Any] = {}
        failed = None
        for constant in PLAN[step]:
            if constant == "CLIENT_OPTIONS_QUERY" and PLAN is STEPS:
                if time.monotonic() - self.options_at < CLIENT_OPTIONS_KEEP_S:
                    continue  # the SPA still has them
                self.options_at = time.monotonic()
            data, problem = self._post(constant, variables_for(constant, slug, number))
            if problem:
                failed = failed or problem
            elif data:
                merged.update(data)
        elapsed = time.perf_counter() - started
        self._fire("STEP", step, started, failed)
        return merged, elapsed, failed

    @task
    def loop(self) -> None:
        self.loops += 1
        data, spent, failed = self._step("queue page")
        edges = (data.get("queue") or {}).get("edges") or []
        rows = [e["node"] for e in edges if e and e.get("node") and e["node"]["kind"] == "TICKET"]
        if failed or not rows:
            self._fire("LOOP", "loop", time.perf_counter() - spent, failed or "queue page: no ticket rows")
            return
        row = self.rng.choice(rows)
        slug, number = row["client"]["slug"], row["number"]
        time.sleep(self.wait_time())
        _, ticket_spent, failed = self._step("ticket page", slug, number)
        spent += ticket_spent
        if not failed and self.loops % REPLY_EVERY == 0:
            time.sleep(self.wait_time())
            _, reply_spent, failed = self._step("reply", slug, number)
            spent += reply_spent
        self._fire("LOOP", "loop", time.perf_counter() - spent, failed)
