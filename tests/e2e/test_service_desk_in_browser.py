"""The service desk in a real browser against the real stack (see conftest.py), on a portal
seeded without tickets: a client IT lead raises a request on her company's portal host, a
technician picks it up from the queue, answers, waits on the client, gets an answer and
resolves it; the client sees her SLA met and never sees the technician's internal note.

Screenshots land in test-artifacts/e2e/ (``service-desk-*.png``).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import CHROMIUM, IT_LEAD, TECHNICIAN, Stack, assert_healthy, screenshot, sign_in_as

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); outside CI the browser tests are skipped",
    ),
]

CLIENT = "harbor-finch"  # IT_LEAD's company

TITLE = "Scanner on the 3rd floor no longer sends to email"
DESCRIPTION = "Since this morning scans from the Ricoh on floor 3 never arrive. Printing still works."
PUBLIC_REPLY = "Thanks Lena, we can see the scanner's mail relay is refusing it. Is the scan-to-email address still scans@harborfinch.demo?"
INTERNAL_NOTE = "INTERNAL: relay password rotated last Friday, the Ricoh still has the old one."
CLIENT_REPLY = "Yes, that address is still right. Thanks for looking into it!"

# "59m 58s left", "7h 05m left", "1d 02h left": SlaCountdown / SlaPanel (lib/sla.ts).
TIME_LEFT = re.compile(r"^\s*·?\s*\d+[dhms]( \d{2}[hms])? left\s*$")
ANSWER = 15_000  # a mutation's answer, or a fresh page load


@pytest.fixture(scope="module")
def seed_demo_args() -> tuple[str, ...]:
    return ("--without-tickets",)  # an empty service desk: the new request is the queue


def clock(page: Any, name: str) -> Any:
    return page.get_by_test_id("sla-panel").get_by_test_id(f"sla-clock-{name}")


def expect_status(page: Any, status: str, label: str) -> None:
    pill = page.get_by_test_id("ticket-status-pill").locator("[data-status]")
    expect(pill).to_have_attribute("data-status", status, timeout=ANSWER)
    expect(pill).to_have_text(label)


def expect_live(countdown: Any) -> None:
    """A countdown shows time left, and ticks: when it shows seconds, they move."""
    expect(countdown).to_have_text(TIME_LEFT)
    shown = countdown.inner_text()
    if re.search(r"\d+s\b", shown):
        expect(countdown).not_to_have_text(shown, timeout=3_000)
        expect(countdown).to_have_text(TIME_LEFT)


def test_a_request_from_the_client_portal_to_resolution_within_sla(stack: Stack, new_page: Any) -> None:
    portal = stack.portal_url(CLIENT)

    # 1. The client IT lead raises a request: impact medium × urgency high → P2.
    lead = new_page()
    sign_in_as(lead, stack, IT_LEAD)
    expect(lead).to_have_url(f"{portal}{IT_LEAD.home}")
    lead.get_by_test_id("nav-requests").click()
    expect(lead).to_have_url(f"{portal}/requests")
    expect(lead.get_by_test_id("requests-total")).to_have_text("0 open · 0 in total")
    lead.get_by_test_id("new-request").click()
    dialog = lead.get_by_test_id("new-request-dialog")
    expect(dialog).to_be_visible()
    lead.get_by_test_id("request-title").fill(TITLE)
    lead.get_by_test_id("request-description").fill(DESCRIPTION)
    lead.get_by_test_id("request-impact").select_option("MEDIUM")
    lead.get_by_test_id("request-urgency").select_option("HIGH")
    screenshot(lead, "service-desk-01-client-new-request")
    lead.get_by_test_id("request-submit").click()

    expect(lead).to_have_url(re.compile(rf"^{re.escape(portal)}/requests/\d+$"), timeout=ANSWER)
    expect(dialog).to_have_count(0)
    number = int(lead.url.rsplit("/", 1)[1])
    expect(lead.get_by_test_id("ticket-title")).to_have_text(f"#{number} {TITLE}")
    expect(lead.get_by_test_id("ticket-description")).to_have_text(DESCRIPTION)
    priority = lead.get_by_test_id("ticket-priority")
    expect(priority.locator("[data-priority]")).to_have_attribute("data-priority", "P2")
    expect(priority).to_contain_text("P2")
    expect_status(lead, "NEW", "New")
    first_response = clock(lead, "first_response")
    expect(first_response).to_have_attribute("data-state", "RUNNING")
    expect(first_response).to_contain_text("Running")
    expect_live(first_response.get_by_test_id("sla-countdown"))
    # A client sees no staff tools.
    expect(lead.get_by_test_id("ticket-actions")).to_have_count(0)
    expect(lead.get_by_test_id("reply-internal")).to_have_count(0)
    screenshot(lead, "service-desk-02-client-request-raised")

    # 2. The technician finds it at the top of the queue with a live countdown.
    tech = new_page()
    sign_in_as(tech, stack, TECHNICIAN)
    expect(tech).to_have_url(f"{stack.msp_url}/queue")
    rows = tech.get_by_test_id("queue-table").locator("tbody tr")
    row = tech.get_by_test_id(f"queue-row-{CLIENT}-{number}")
    expect(rows.first).to_have_attribute("data-testid", f"queue-row-{CLIENT}-{number}")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Harbor & Finch LLP")
    expect(row.locator("[data-priority]")).to_have_attribute("data-priority", "P2")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "NEW")
    countdown = row.get_by_test_id("sla-countdown")
    expect(countdown).to_have_attribute("data-state", re.compile(r"^(ON_TRACK|WARNING)$"))
    expect(countdown).to_contain_text("First response")
    expect_live(countdown.locator(".sla-time"))
    screenshot(tech, "service-desk-03-technician-queue")

    row.click()
    expect(tech).to_have_url(f"{stack.msp_url}/tickets/{CLIENT}/{number}")
    expect(tech.get_by_test_id("ticket-title")).to_have_text(f"#{number} {TITLE}")

    # An internal note first (must never reach the client), then the public reply.
    internal = tech.get_by_test_id("reply-internal")
    internal_switch = tech.locator("label", has=internal)  # the input itself is visually hidden
    internal_switch.click()
    expect(internal).to_be_checked()
    expect(tech.get_by_test_id("reply-submit")).to_have_text("Add internal note")
    tech.get_by_test_id("reply-body").fill(INTERNAL_NOTE)
    tech.get_by_test_id("reply-submit").click()
    expect(tech.get_by_test_id("reply-sent")).to_have_text("Internal note added.", timeout=ANSWER)
    note = tech.get_by_test_id("timeline-entry").filter(has_text=INTERNAL_NOTE)
    expect(note).to_have_count(1)
    expect(note.get_by_test_id("internal-badge")).to_be_visible()
    # An internal note is not a response to the client: the clock still runs.
    expect(clock(tech, "first_response")).to_have_attribute("data-state", "RUNNING")

    internal_switch.click()
    expect(internal).not_to_be_checked()
    expect(tech.get_by_test_id("reply-submit")).to_have_text("Send reply")
    tech.get_by_test_id("reply-body").fill(PUBLIC_REPLY)
    tech.get_by_test_id("reply-submit").click()
    expect(tech.get_by_test_id("reply-sent")).to_have_text("Reply sent.", timeout=ANSWER)
    expect(tech.get_by_test_id("timeline-entry").filter(has_text=PUBLIC_REPLY)).to_have_count(1)
    expect(clock(tech, "first_response")).to_have_attribute("data-state", "MET")

    tech.get_by_test_id("ticket-status").select_option("WAITING_ON_CLIENT")
    expect_status(tech, "WAITING_ON_CLIENT", "Waiting on client")
    resolution = clock(tech, "resolution")
    expect(resolution).to_have_attribute("data-state", "PAUSED")
    expect(resolution).to_contain_text("Paused")
    expect(resolution).to_contain_text("the deadline moves while the clock is paused")
    expect(resolution.get_by_test_id("sla-countdown")).to_have_count(0)
    # No clock of a ticket waiting on its client runs.
    running = tech.get_by_test_id("sla-panel").locator('[data-testid^="sla-clock-"][data-state="RUNNING"]')
    expect(running).to_have_count(0)
    expect(clock(tech, "first_response")).to_have_attribute("data-state", "MET")
    screenshot(tech, "service-desk-04-technician-waiting-on-client")

    # 3. The client answers; her answer reopens the ticket.
    lead.reload()
    expect_status(lead, "WAITING_ON_CLIENT", "Waiting on client")
    expect(lead.get_by_test_id("timeline-entry").filter(has_text=PUBLIC_REPLY)).to_have_count(1)
    lead.get_by_test_id("reply-body").fill(CLIENT_REPLY)
    lead.get_by_test_id("reply-submit").click()
    expect(lead.get_by_test_id("reply-sent")).to_have_text("Reply sent.", timeout=ANSWER)
    expect_status(lead, "OPEN", "Open")
    expect(lead.get_by_test_id("timeline-entry").filter(has_text=CLIENT_REPLY)).to_have_count(1)
    expect(clock(lead, "resolution")).to_have_attribute("data-state", "RUNNING")
    screenshot(lead, "service-desk-05-client-replied")

    # 4. The technician sees the answer and resolves the ticket.
    tech.reload()
    expect_status(tech, "OPEN", "Open")
    expect(tech.get_by_test_id("timeline-entry").filter(has_text=CLIENT_REPLY)).to_have_count(1)
    tech.get_by_test_id("ticket-status").select_option("RESOLVED")
    expect_status(tech, "RESOLVED", "Resolved")
    expect(clock(tech, "resolution")).to_have_attribute("data-state", "MET")
    screenshot(tech, "service-desk-06-technician-resolved")

    # 5. The client sees her request resolved within the SLA, and no internal note.
    lead.reload()
    expect_status(lead, "RESOLVED", "Resolved")
    expect(lead.get_by_test_id("resolved-prompt")).to_be_visible()
    for name in ("first_response", "resolution"):
        met = clock(lead, name)
        expect(met).to_have_attribute("data-state", "MET")
        expect(met.locator(".pill[data-state]")).to_have_text("Met")
        expect(met).to_contain_text("Was due")
        expect(met.get_by_test_id("sla-countdown")).to_have_count(0)
    timeline = lead.get_by_test_id("timeline")
    expect(timeline).to_contain_text(PUBLIC_REPLY)
    expect(timeline).to_contain_text(CLIENT_REPLY)
    expect(lead.locator("body")).not_to_contain_text(INTERNAL_NOTE)
    expect(lead.get_by_test_id("internal-badge")).to_have_count(0)
    expect(lead.locator(".is-internal")).to_have_count(0)
    lead.get_by_test_id("sla-explain").first.locator("summary").click()
    screenshot(lead, "service-desk-07-client-sla-met")

    # Her request list agrees.
    lead.get_by_test_id("nav-requests").click()
    request_row = lead.get_by_test_id(f"request-row-{number}")
    expect(request_row.locator("[data-status]")).to_have_attribute("data-status", "RESOLVED")
    expect(lead.get_by_test_id("requests-total")).to_have_text("0 open · 1 in total")
    screenshot(lead, "service-desk-08-client-requests")

    assert_healthy(lead)
    assert_healthy(tech)
