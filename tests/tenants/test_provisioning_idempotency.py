"""Provisioning with an idempotency key: the same form submission sent again — at once, or
after its job has already run — answers with that job and queues nothing more."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tenants.models import ProvisioningJob, ProvisioningStatus
from tenants.provisioning import run_provisioning_job, start_provisioning_job
from tests.concurrency import first_holds_while_second_waits
from tests.conftest import World

PROVISION = """mutation($input: ProvisionClientInput!) {
  provisionClient(input: $input) { job { id slug status } errors { field code message } }
}"""
INPUT = {
    "name": "Delta Dental",
    "slug": "delta",
    "industry": "HEALTHCARE",
    "tier": "STANDARD",
    "itLeadEmail": "lead@delta.test",
    "itLeadName": "Dee Lead",
}
RAW = {
    "name": "Delta Dental",
    "slug": "delta",
    "industry": "healthcare",
    "tier": "standard",
    "it_lead_email": "lead@delta.test",
    "it_lead_name": "Dee Lead",
}


def job_ids(messages: list[Any]) -> list[str]:
    """The job ids of the provisioning tasks relayed from the outbox."""
    return [message.args[0] for message in messages]


@pytest.fixture
def queued(capture_task: Any) -> list[Any]:
    return capture_task("tenants.provision_client")  # type: ignore[no-any-return]


def test_the_same_submission_twice_starts_one_job(
    world: World, gql: Any, queued: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin = gql(world.admin)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = admin.data(PROVISION, {"input": {**INPUT, "idempotencyKey": key}})["provisionClient"]
    with django_capture_on_commit_callbacks(execute=True):
        again = admin.data(PROVISION, {"input": {**INPUT, "idempotencyKey": key}})["provisionClient"]
    assert first["errors"] == [] and again == first
    assert ProvisioningJob.objects.filter(slug="delta").count() == 1
    assert job_ids(queued) == [first["job"]["id"]]

    # Once the job has run the slug is taken, yet the retry still gets its job (not DUPLICATE_SLUG).
    run_provisioning_job(first["job"]["id"])
    later = admin.data(PROVISION, {"input": {**INPUT, "idempotencyKey": key}})["provisionClient"]
    assert later["errors"] == [] and later["job"]["id"] == first["job"]["id"]
    assert later["job"]["status"] == "SUCCEEDED"
    # Without the key it is a new request, refused for the taken slug.
    fresh = admin.data(PROVISION, {"input": INPUT})["provisionClient"]
    assert [e["code"] for e in fresh["errors"]] == ["DUPLICATE_SLUG"]


def test_a_key_for_another_client_or_malformed_is_refused(world: World, gql: Any, queued: list[Any]) -> None:
    admin = gql(world.admin)
    key = str(uuid.uuid4())
    assert (
        admin.data(PROVISION, {"input": {**INPUT, "idempotencyKey": key}})["provisionClient"]["errors"] == []
    )
    other = admin.data(PROVISION, {"input": {**INPUT, "slug": "echo", "idempotencyKey": key}})[
        "provisionClient"
    ]
    assert [(e["field"], e["code"]) for e in other["errors"]] == [("idempotencyKey", "INVALID")]
    for bad, code in (("not a key", "INVALID"), ("k" * 101, "TOO_LONG")):
        refused = admin.data(PROVISION, {"input": {**INPUT, "slug": "foxtrot", "idempotencyKey": bad}})
        assert [(e["field"], e["code"]) for e in refused["provisionClient"]["errors"]] == [
            ("idempotencyKey", code)
        ]
    assert list(ProvisioningJob.objects.values_list("slug", flat=True)) == ["delta"]


def test_two_submissions_with_one_key_at_once_start_one_job(
    world_state: World, django_db_blocker: Any, queued: list[Any]
) -> None:
    """No lock serialises provisioning requests: the key's unique constraint settles it. The
    second insert waits for the first transaction, fails, and answers with its job."""
    key = str(uuid.uuid4())

    def send() -> ProvisioningJob:
        return start_provisioning_job(RAW, acting_user=world_state.admin, idempotency_key=key)

    with django_db_blocker.unblock():
        try:
            first, second = first_holds_while_second_waits(send, send, "public")
            assert first.pk == second.pk
            assert ProvisioningJob.objects.filter(slug="delta").count() == 1
            assert job_ids(queued) == [str(first.pk)]
        finally:
            ProvisioningJob.objects.filter(slug="delta").delete()


def test_two_submissions_without_a_key_at_once_are_one_job_and_a_typed_refusal(
    world_state: World, django_db_blocker: Any, queued: list[Any]
) -> None:
    """Without a key, the live-slug constraint refuses the second one as DUPLICATE_SLUG (it used
    to surface as an unhandled IntegrityError)."""
    from core.errors import ActionError

    def send() -> Any:
        try:
            return start_provisioning_job(RAW, acting_user=world_state.admin)
        except ActionError as exc:
            return exc.errors[0].code

    with django_db_blocker.unblock():
        try:
            first, second = first_holds_while_second_waits(send, send, "public")
            assert isinstance(first, ProvisioningJob) and first.status == ProvisioningStatus.QUEUED
            assert second == "DUPLICATE_SLUG"
            assert ProvisioningJob.objects.filter(slug="delta").count() == 1
        finally:
            ProvisioningJob.objects.filter(slug="delta").delete()
