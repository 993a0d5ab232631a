"""The portal in a real browser against the real stack (gunicorn, Celery worker, PostgreSQL,
Redis; see conftest.py): a client IT lead on their company's portal host, staff enrolling
an authenticator at first sign-in, an admin provisioning a client through the worker, and
signing out.

Screenshots land in test-artifacts/e2e/.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import (
    ACCOUNT_MANAGER,
    ADMIN,
    CHROMIUM,
    IT_LEAD,
    TECHNICIAN,
    Stack,
    assert_healthy,
    screenshot,
    sign_in_as,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); outside CI the browser tests are skipped",
    ),
]

CLIENT_ROWS = '[data-testid^="client-row-"]'
DEMO_CLIENTS = ("northwind", "harbor-finch", "brightline")


def test_client_it_lead_sees_their_company_on_its_portal_host(stack: Stack, new_page: Any) -> None:
    page = new_page()
    portal = stack.portal_url("harbor-finch")
    assert sign_in_as(page, stack, IT_LEAD) == "none"

    # No second factor at this client: straight to the live status page, the IT lead's home.
    expect(page).to_have_url(f"{portal}/status")
    expect(page.get_by_test_id("status-page")).to_have_attribute("data-full", "true")
    expect(page.get_by_test_id("pyramid").locator("li[data-layer]")).to_have_count(5)
    page.get_by_test_id("nav-company").click()
    expect(page.get_by_test_id("company-name")).to_have_text("Harbor & Finch LLP")
    expect(page.get_by_test_id("nav-clients")).to_have_count(0)
    expect(page.get_by_test_id("viewer-name")).to_have_text("Lena Lead")
    expect(page.get_by_test_id("viewer-role")).to_have_text("IT lead")

    people = page.get_by_test_id("people-table")
    expect(people.locator("tbody tr")).to_have_count(2)
    expect(people).to_contain_text("lena.lead@harborfinch.demo")
    expect(people).to_contain_text("mo.member@harborfinch.demo")
    expect(page.get_by_test_id("account-manager")).to_contain_text("Alex Account-Manager")
    # An IT lead may invite people.
    invite = page.get_by_test_id("invite-form")
    expect(invite).to_be_visible()
    expect(page.get_by_test_id("invite-user-email")).to_be_editable()
    expect(page.get_by_test_id("invite-user-submit")).to_be_enabled()
    screenshot(page, "01-client-it-lead-company")

    # The staff area is not theirs: the SPA sends them home.
    page.goto(f"{portal}/clients")
    expect(page).to_have_url(f"{portal}/status")
    expect(page.get_by_test_id("status-page")).to_be_visible()
    assert_healthy(page)


def test_technician_enrols_an_authenticator_and_searches_clients(stack: Stack, new_page: Any) -> None:
    page = new_page()
    assert sign_in_as(page, stack, TECHNICIAN, enrolment_shot="02-technician-totp-enrolment") == "enrolled"

    # Technicians land on their queue; the client list is one click away.
    expect(page).to_have_url(f"{stack.msp_url}/queue")
    expect(page.get_by_test_id("viewer-role")).to_have_text("Technician")
    page.get_by_test_id("nav-clients").click()
    expect(page).to_have_url(f"{stack.msp_url}/clients")
    table = page.get_by_test_id("clients-table")
    expect(table.locator(CLIENT_ROWS)).to_have_count(len(DEMO_CLIENTS))
    for slug in DEMO_CLIENTS:
        expect(page.get_by_test_id(f"client-row-{slug}")).to_be_visible()
    expect(page.get_by_test_id("clients-total")).to_have_text("3 clients")
    expect(page.get_by_test_id("nav-clients")).to_be_visible()
    expect(page.get_by_test_id("nav-company")).to_have_count(0)
    # Technicians do not provision clients.
    expect(page.get_by_test_id("new-client")).to_have_count(0)

    page.get_by_test_id("clients-search").fill("harbor")
    expect(page).to_have_url(re.compile(r"[?&]q=harbor(&|$)"))
    expect(table.locator(CLIENT_ROWS)).to_have_count(1)
    expect(page.get_by_test_id("client-row-harbor-finch")).to_contain_text("Harbor & Finch LLP")
    expect(page.get_by_test_id("clients-total")).to_have_text(re.compile(r"^1 client\b"))
    screenshot(page, "03-technician-clients-search")
    assert_healthy(page)


def test_admin_provisions_a_client_through_the_worker(stack: Stack, new_page: Any) -> None:
    page = new_page()
    sign_in_as(page, stack, ADMIN)
    expect(page).to_have_url(f"{stack.msp_url}/clients")
    expect(page.locator(CLIENT_ROWS)).to_have_count(len(DEMO_CLIENTS))

    page.get_by_test_id("new-client").click()
    dialog = page.get_by_test_id("new-client-dialog")
    expect(dialog).to_be_visible()
    page.get_by_test_id("provision-name").fill("Cobalt Ridge Architects")
    expect(page.get_by_test_id("provision-slug")).to_have_value("cobalt-ridge-architects")
    page.get_by_test_id("provision-industry").select_option("PROFESSIONAL_SERVICES")
    page.get_by_test_id("provision-tier").select_option("PREMIUM")
    page.get_by_test_id("provision-timezone").select_option("Europe/London")
    manager = page.get_by_test_id("provision-account-manager")
    expect(manager.locator("option", has_text="Alex Account-Manager")).to_have_count(1)
    manager.select_option(label="Alex Account-Manager · Account manager")
    page.get_by_test_id("provision-it-lead-name").fill("Rae Ridge")
    page.get_by_test_id("provision-it-lead-email").fill("rae.ridge@cobaltridge.demo")
    expect(page.get_by_test_id("provision-require-2fa")).to_be_checked()
    page.get_by_test_id("provision-submit").click()

    # Queued by gunicorn, run by the Celery worker, polled by the SPA.
    progress = page.get_by_test_id("provision-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-status", "SUCCEEDED", timeout=30_000)
    expect(progress.get_by_role("progressbar")).to_be_visible()
    expect(dialog).to_contain_text("Cobalt Ridge Architects has been provisioned")
    expect(page.get_by_test_id("provision-open-client")).to_be_visible()
    screenshot(page, "04-admin-provisioning-done")

    progress.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_have_count(0)
    row = page.get_by_test_id("client-row-cobalt-ridge-architects")
    expect(row).to_contain_text("Cobalt Ridge Architects")
    expect(row).to_contain_text("Professional services")
    expect(row).to_contain_text("Alex Account-Manager")
    expect(page.locator(CLIENT_ROWS)).to_have_count(len(DEMO_CLIENTS) + 1)
    expect(page.get_by_test_id("clients-total")).to_have_text("4 clients")

    # Its detail page knows its portal address on its own host.
    row.click()
    expect(page).to_have_url(f"{stack.msp_url}/clients/cobalt-ridge-architects")
    expect(page.get_by_test_id("client-name")).to_have_text("Cobalt Ridge Architects")
    expect(page.get_by_test_id("client-portal-url")).to_have_text(
        stack.portal_url("cobalt-ridge-architects") + "/"
    )
    # The worker invited the IT lead named in the form.
    invitation = page.get_by_test_id("invitations-table").locator("tbody tr")
    expect(invitation).to_have_count(1)
    expect(invitation).to_contain_text("rae.ridge@cobaltridge.demo")
    expect(invitation).to_contain_text("IT lead")
    screenshot(page, "05-admin-new-client-detail")
    assert_healthy(page)


def test_sign_out_ends_the_session(stack: Stack, new_page: Any) -> None:
    page = new_page()
    sign_in_as(page, stack, ACCOUNT_MANAGER)  # its own session: this test ends it
    expect(page).to_have_url(f"{stack.msp_url}/clients")
    expect(page.get_by_test_id("viewer-role")).to_have_text("Account manager")

    page.get_by_test_id("sign-out").click()
    # Back on the sign-in form. (The SPA may keep ?next=/clients from the page it left.)
    expect(page).to_have_url(re.compile(rf"^{re.escape(stack.msp_url)}/login(\?next=%2Fclients)?$"))
    expect(page.get_by_test_id("login-email")).to_be_visible()

    # A full page load asks the server: the session is gone, not just the SPA's state.
    page.goto(f"{stack.msp_url}/clients")
    expect(page).to_have_url(f"{stack.msp_url}/login?next=%2Fclients")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    expect(page.get_by_test_id("clients-table")).to_have_count(0)
    screenshot(page, "06-signed-out")
    assert_healthy(page)
