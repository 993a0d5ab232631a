"""Signing in at the right portal, in a real browser: a client user at another company's
portal host and a technician at a client's portal host are refused with a link to where
they belong (no loop, no broken staff screen); an unusable invitation link says so before
any form; a closed request offers a linked new request instead of a reply box.
See docs/client-lifecycle.md and docs/service-desk.md."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import CHROMIUM, DEMO_PASSWORD, Stack, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is not installed (apt-get install -y chromium); outside CI the browser tests are skipped",
    ),
]


def sign_in(page: Any, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_a_client_user_at_another_companys_portal_is_sent_to_her_own(stack: Stack, new_page: Any) -> None:
    page = new_page()
    elsewhere = stack.portal_url("northwind")
    own = stack.portal_url("harbor-finch")
    sign_in(page, elsewhere, "lena.lead@harborfinch.demo")

    refusal = page.get_by_test_id("portal-refusal")
    expect(refusal).to_contain_text("isn't part of")
    expect(page).to_have_url(f"{elsewhere}/login")  # no session, no "Company not found" loop
    link = page.get_by_test_id("portal-link")
    expect(link).to_have_text("Go to Harbor & Finch LLP")
    expect(link).to_have_attribute("href", f"{own}/")
    screenshot(page, "20-wrong-portal-refused")

    link.click()
    expect(page).to_have_url(f"{own}/login")
    sign_in(page, own, "lena.lead@harborfinch.demo")
    expect(page).to_have_url(f"{own}/status")  # an IT lead's home is the live status page
    page.get_by_test_id("nav-company").click()
    expect(page.get_by_test_id("company-name")).to_have_text("Harbor & Finch LLP")


def test_a_technician_at_a_clients_portal_is_sent_to_the_client_in_the_workspace(
    stack: Stack, new_page: Any
) -> None:
    page = new_page()
    portal = stack.portal_url("harbor-finch")
    sign_in(page, portal, "tech@msp.demo")

    expect(page.get_by_test_id("portal-refusal")).to_contain_text("MSP staff sign in at the MSP workspace")
    expect(page.get_by_text("Couldn’t load the queue")).to_have_count(0)
    link = page.get_by_test_id("portal-link")
    expect(link).to_have_attribute("href", f"{stack.msp_url}/clients/harbor-finch")
    screenshot(page, "21-staff-on-client-portal-refused")
    link.click()
    expect(page).to_have_url(f"{stack.msp_url}/login?next=%2Fclients%2Fharbor-finch")


def test_an_unusable_invitation_link_says_so_before_any_form(stack: Stack, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{stack.portal_url('harbor-finch')}/invite/not-a-real-token")
    expect(page.get_by_test_id("invitation-unusable")).to_contain_text("can’t be used")
    expect(page.get_by_test_id("invite-password")).to_have_count(0)


CLOSE_FIRST_TICKET = """
from django_tenants.utils import schema_context
from services.support.actions import change_status
from tenants.models import Client, User

client = Client.objects.get(slug="harbor-finch")
technician = User.objects.get(email="tech@msp.demo")
with schema_context(client.schema_name):
    change_status(client, 1, actor=technician, status="resolved")
    change_status(client, 1, actor=technician, status="closed")
"""


def test_a_closed_request_offers_a_linked_new_request_instead_of_a_reply(stack: Stack, new_page: Any) -> None:
    stack.manage("shell", "-c", CLOSE_FIRST_TICKET)
    page = new_page()
    portal = stack.portal_url("harbor-finch")
    sign_in(page, portal, "lena.lead@harborfinch.demo")
    expect(page).to_have_url(f"{portal}/status")
    page.goto(f"{portal}/requests/1")

    expect(page.get_by_test_id("ticket-status-pill")).to_have_text("Closed")
    expect(page.get_by_test_id("closed-notice")).to_contain_text("Closed requests take no more replies")
    expect(page.get_by_test_id("reply-form")).to_have_count(0)
    screenshot(page, "22-closed-request")

    page.get_by_test_id("ticket-follow-up").click()
    dialog = page.get_by_test_id("new-request-dialog")
    expect(dialog).to_contain_text("This request will be linked to #1")
    page.get_by_test_id("request-submit").click()
    expect(page).to_have_url(f"{portal}/requests/5")
    expect(page.get_by_test_id("follow-up-of")).to_have_text(
        "#1 VPN drops every few minutes for remote staff"
    )
    expect(page.get_by_test_id("timeline")).to_contain_text("as a follow-up of #1")

    page.get_by_test_id("follow-up-of").click()
    expect(page).to_have_url(f"{portal}/requests/1")
    expect(page.get_by_test_id("follow-up")).to_contain_text("#5")
    expect(page.get_by_test_id("timeline")).to_contain_text("raised #5 as a follow-up of this request")
    expect(page.get_by_test_id("ticket-status-pill")).to_have_text("Closed")


def test_an_admin_suspends_a_client_and_its_people_are_told_at_sign_in(stack: Stack, new_page: Any) -> None:
    from tests.e2e.harness import enrol_authenticator

    portal = stack.portal_url("brightline")
    member = new_page()
    sign_in(member, portal, "ben.lead@brightline.demo")
    expect(member).to_have_url(f"{portal}/status")  # signed in while the client is active

    admin = new_page()
    sign_in(admin, stack.msp_url, "admin@msp.demo")
    enrol_authenticator(admin)
    admin.goto(f"{stack.msp_url}/clients/brightline")
    card = admin.get_by_test_id("client-lifecycle")
    expect(card).to_contain_text("Active")
    expect(admin.get_by_test_id("delete-blocked")).to_contain_text("tickets")  # it holds data
    admin.get_by_test_id("lifecycle-suspended").click()
    expect(admin.get_by_test_id("lifecycle-dialog")).to_contain_text("can’t sign in")
    admin.get_by_test_id("lifecycle-confirm").click()
    expect(admin.get_by_test_id("lifecycle-meaning")).to_contain_text("until it is reactivated")
    expect(admin.get_by_test_id("lifecycle-active")).to_have_text("Reactivate")
    screenshot(admin, "23-client-suspended")

    # The session that was already open loses the client's data at once...
    member.reload()
    expect(member.get_by_role("alert")).to_contain_text("portal is suspended")
    expect(member.get_by_test_id("people-table")).to_have_count(0)
    # ...and a new sign-in is refused with the reason.
    other = new_page()
    sign_in(other, portal, "bea.member@brightline.demo")
    expect(other.get_by_test_id("portal-refusal")).to_contain_text("portal is suspended")
    expect(other).to_have_url(f"{portal}/login")

    # Reactivated: she can sign in again.
    admin.get_by_test_id("lifecycle-active").click()
    admin.get_by_test_id("lifecycle-confirm").click()
    expect(admin.get_by_test_id("lifecycle-meaning")).to_contain_text("Its people sign in")
    sign_in(other, portal, "bea.member@brightline.demo")
    expect(other).to_have_url(f"{portal}/company")
