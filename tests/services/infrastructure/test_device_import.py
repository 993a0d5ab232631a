"""Device CSV import: preview with row errors, all-or-nothing apply, idempotency, limits."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core import csv_import
from core.csv_import import ImportStatus
from core.errors import AccessDenied, ActionError
from core.models import OutboxMessage
from services.infrastructure import actions
from services.infrastructure.actions import DeviceInput, SiteInput
from services.infrastructure.device_import import (
    APPLY_TASK,
    apply_device_import,
    discard_device_import,
    preview_device_import,
    run_device_import,
)
from services.infrastructure.models import Device, DeviceImport
from tests.services.infrastructure.conftest import b64, csv_text

HEADER = "name,type,os,os_version,serial,owner_email,site,criticality,managed,warranty_end,last_seen"


def preview(world, text, name="devices.csv"):
    return preview_device_import(world.a, actor=world.technician, file_name=name, data_base64=b64(text))


def apply_now(world, job):
    """Request the apply (as the API does) and run the task's body (as the worker does)."""
    apply_device_import(world.a, actor=world.technician, import_id=job.pk)
    return run_device_import(str(job.pk))


@pytest.fixture
def hq(world, in_a):
    return actions.create_site(world.a, actor=world.admin, data=SiteInput(name="HQ"))


GOOD = [
    "ws-01,workstation,Windows,11,SN-1,ann@alpha.test,HQ,high,yes,2028-01-31,2026-12-01 08:00",
    "lt-02,Laptop,macOS,15.1,SN-2,bob@alpha.test,,medium,no,,",
    "fw-01,firewall,,,,,HQ,Business-critical,1,,",
]


def test_preview_counts_and_writes_no_device(world, in_a, contacts, hq):
    job = preview(world, csv_text(HEADER, GOOD))
    assert (job.status, job.total_rows, job.to_create, job.to_update, job.unchanged, job.error_count) == (
        ImportStatus.PREVIEWED,
        3,
        3,
        0,
        0,
        0,
    )
    assert not Device.objects.exists()


def test_every_bad_row_is_reported_with_its_line_and_column(world, in_a, contacts, hq):
    rows = [
        "ok-1,laptop,,,SN-1,,,,,,",
        "bad-type,toaster,,,,,,,,,",  # line 3
        "bad-date,laptop,,,SN-3,,,,,31/01/2028,",
        "bad-owner,laptop,,,SN-4,nobody@alpha.test,,,,,",
        "bad-site,laptop,,,SN-5,,Moon base,,,,",
        "nul\x00byte,laptop,,,SN-6,,,,,,",
        f"{'x' * 121},laptop,,,SN-7,,,,,,",
        "dup,laptop,,,sn-1,,,,,,",  # line 9: same serial as line 2 (any case)
        "bad-bool,laptop,,,SN-9,,,,perhaps,,",
        ",laptop,,,SN-10,,,,,,",
        "future,laptop,,,SN-11,,,,,,2999-01-01",
        "bad-mail,laptop,,,SN-12,not-an-email,,,,,",
    ]
    job = preview(world, csv_text(HEADER, rows))
    found = {(e["line"], e["column"], e["code"]) for e in job.errors}
    assert found == {
        (3, "type", "UNKNOWN_VALUE"),
        (4, "warranty_end", "INVALID_DATE"),
        (5, "owner_email", "UNKNOWN_OWNER"),
        (6, "site", "UNKNOWN_SITE"),
        (7, "name", "INVALID"),
        (8, "name", "TOO_LONG"),
        (9, "serial", "DUPLICATE"),
        (10, "managed", "INVALID_BOOLEAN"),
        (11, "name", "REQUIRED"),
        (12, "last_seen", "INVALID_DATE"),
        (13, "owner_email", "INVALID_EMAIL"),
    }
    assert job.error_count == 11 and not job.can_apply
    with pytest.raises(ActionError) as exc:
        apply_device_import(world.a, actor=world.technician, import_id=job.pk)
    assert exc.value.errors[0].code == "HAS_ERRORS"
    assert not Device.objects.exists() and not OutboxMessage.objects.filter(task=APPLY_TASK).exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "REQUIRED"),
        ("name,type\n", "REQUIRED"),
        ("name,kind\npc,laptop\n", "INVALID"),  # unknown column
        ("os\nWindows\n", "REQUIRED"),  # missing required columns
        ("name,type,name\na,laptop,b\n", "INVALID"),
        ('name,type\n"unclosed,laptop\n', "INVALID"),
    ],
)
def test_file_level_problems_refuse_the_whole_file(world, in_a, text, code):
    with pytest.raises(ActionError) as exc:
        preview(world, text)
    assert (exc.value.errors[0].field, exc.value.errors[0].code) == ("file", code)
    assert not DeviceImport.objects.exists()


def test_size_and_encoding_limits(world, in_a, monkeypatch):
    with pytest.raises(ActionError) as exc:
        preview_device_import(
            world.a, actor=world.technician, file_name="x.csv", data_base64="@@not base64@@"
        )
    assert exc.value.errors[0].code == "INVALID"
    with pytest.raises(ActionError) as exc:
        csv_import.decode_upload(b64("a" * 2000), max_bytes=1000)
    assert exc.value.errors[0].code == "TOO_LARGE"
    with pytest.raises(ActionError) as exc:
        csv_import.parse_csv(
            csv_text("name,type", ["a,laptop"] * 11),
            [csv_import.Column("name"), csv_import.Column("type")],
            max_rows=10,
        )
    assert exc.value.errors[0].code == "TOO_LARGE"
    # Excel's defaults: a byte-order mark, Windows-1252, semicolons.
    text = "\ufeffname;type;os\r\nCafé-pc;laptop;Windows\r\n".encode("utf-8")
    job = preview_device_import(world.a, actor=world.technician, file_name="x.csv", data_base64=b64(text))
    assert job.error_count == 0 and job.to_create == 1
    job = preview_device_import(
        world.a,
        actor=world.technician,
        file_name="x.csv",
        data_base64=b64("name,type\nCafé,laptop\n".encode("cp1252")),
    )
    assert job.error_count == 0 and "Café" in job.content


def test_apply_writes_everything_and_the_same_file_twice_changes_nothing(world, in_a, contacts, hq):
    text = csv_text(HEADER, GOOD)
    job = preview(world, text)
    done = apply_now(world, job)
    assert done is not None
    assert done.status == ImportStatus.APPLIED and done.processed_rows == 3 and done.content == ""
    assert OutboxMessage.objects.filter(task=APPLY_TASK, args=[str(job.pk)]).count() == 1
    ws = Device.objects.get(serial="SN-1")
    assert ws.owner is not None
    assert (ws.owner.email, ws.site, ws.criticality, ws.is_managed, str(ws.warranty_ends_on)) == (
        "ann@alpha.test",
        hq,
        "high",
        True,
        "2028-01-31",
    )
    assert Device.objects.get(name="fw-01").criticality == "business_critical"
    before = list(Device.objects.order_by("pk").values())
    again = preview(world, text)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 3)
    with pytest.raises(ActionError) as exc:
        apply_device_import(world.a, actor=world.technician, import_id=again.pk)
    assert exc.value.errors[0].code == "NOTHING_TO_DO"
    assert list(Device.objects.order_by("pk").values()) == before
    # A redelivered task does nothing more.
    rerun = run_device_import(str(job.pk))
    assert rerun is not None and rerun.status == ImportStatus.APPLIED
    assert list(Device.objects.order_by("pk").values()) == before


def test_rows_match_by_serial_then_by_name(world, in_a, contacts, hq):
    named = actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="printer", device_type="printer")
    )
    serialed = actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="old name", device_type="server", serial="SRV-1")
    )
    retired = actions.create_device(
        world.a, actor=world.admin, data=DeviceInput(name="gone", device_type="laptop", serial="GONE-1")
    )
    actions.retire_device(world.a, actor=world.admin, device_id=retired.pk)
    text = csv_text(
        "name,type,serial,site",
        ["printer,printer,,HQ", "new name,server,srv-1,", "gone,laptop,GONE-1,", "brand new,laptop,,"],
    )
    job = preview(world, text)
    assert (job.to_create, job.to_update, job.unchanged, job.error_count) == (1, 3, 0, 0)
    apply_now(world, job)
    assert Device.objects.get(pk=named.pk).site == hq
    assert Device.objects.get(pk=serialed.pk).name == "new name"
    assert Device.objects.get(pk=retired.pk).is_active is True
    assert Device.objects.count() == 4
    # Absent columns are left alone: a file without "site" keeps the printer's site.
    job = preview(world, csv_text("name,type", ["printer,printer"]))
    assert (job.to_update, job.unchanged) == (0, 1)


def test_same_name_without_serial_is_ambiguous(world, in_a):
    for _ in range(2):
        actions.create_device(world.a, actor=world.admin, data=DeviceInput(name="pc", device_type="laptop"))
    job = preview(world, csv_text("name,type", ["PC,laptop"]))
    assert [(e["column"], e["code"]) for e in job.errors] == [("name", "AMBIGUOUS")]


def test_apply_is_all_or_nothing_when_the_data_changed_since_the_preview(world, in_a, contacts, hq):
    job = preview(world, csv_text(HEADER, GOOD))
    apply_device_import(world.a, actor=world.technician, import_id=job.pk)
    contacts["bob"].is_active = False
    contacts["bob"].save()
    failed = run_device_import(str(job.pk))
    assert failed is not None
    assert failed.status == ImportStatus.FAILED and failed.error_count == 1
    assert failed.errors[0]["code"] == "UNKNOWN_OWNER"
    assert not Device.objects.exists()


def test_a_crash_midway_rolls_everything_back(world, in_a, contacts, hq, monkeypatch):
    from services.infrastructure import device_import

    job = preview(world, csv_text(HEADER, GOOD))
    apply_device_import(world.a, actor=world.technician, import_id=job.pk)

    def explode(plan, progress):
        Device.objects.create(name="half", device_type="laptop")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(device_import, "write_devices", explode)
    with pytest.raises(RuntimeError):
        csv_import.run_apply(
            DeviceImport,
            str(job.pk),
            columns=device_import.COLUMNS,
            planner=device_import.plan_devices,
            writer=device_import.write_devices,
        )
    csv_import.fail_crashed(DeviceImport, str(job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "nothing was imported" in job.failure
    assert not Device.objects.exists()


def test_progress_is_published_while_the_apply_runs(world, in_a, contacts, hq, monkeypatch):
    seen: list[tuple[str, int]] = []
    rows = [f"pc-{i},laptop,,,SN-{i},,,,,," for i in range(1200)]
    job = preview(world, csv_text(HEADER, rows))
    apply_device_import(world.a, actor=world.technician, import_id=job.pk)
    real_set = cache.set

    def spy(key, value, timeout=None):
        real_set(key, value, timeout)
        fresh = DeviceImport.objects.get(pk=job.pk)
        seen.append(csv_import.live_state(fresh))

    monkeypatch.setattr(csv_import.cache, "set", spy)
    run_device_import(str(job.pk))
    assert seen[0] == ("applying", 0) and seen[-1] == ("applying", 1200)
    assert [n for _, n in seen] == sorted(n for _, n in seen) and len(seen) > 3
    done = DeviceImport.objects.get(pk=job.pk)
    assert csv_import.live_state(done) == ("applied", 1200)


def test_five_thousand_rows_preview_apply_and_again(world, in_a, contacts, hq, django_assert_num_queries):
    rows = [
        f"host-{i},{'laptop' if i % 2 else 'workstation'},Windows,11,S{i:05d},"
        f"{('ann', 'bob', 'cy')[i % 3]}@alpha.test,{'HQ' if i % 4 == 0 else ''},medium,yes,2028-01-01,"
        for i in range(5000)
    ]
    text = csv_text(HEADER, rows)
    preview(world, csv_text(HEADER, rows[:3]))  # warm: the connection's search_path
    with django_assert_num_queries(6):  # who may, owners, sites, serials, names, the job row
        job = preview(world, text)
    assert (job.total_rows, job.to_create, job.error_count) == (5000, 5000, 0)
    DeviceImport.objects.exclude(pk=job.pk).delete()
    apply_now(world, job)
    assert Device.objects.count() == 5000
    again = preview(world, text)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 5000)
    changed = rows[:]
    changed[10] = changed[10].replace("medium", "high")
    third = preview(world, csv_text(HEADER, changed))
    assert (third.to_update, third.unchanged) == (1, 4999)


def test_discard_and_who_may_import(world, in_a):
    job = preview(world, csv_text("name,type", ["a,laptop"]))
    discarded = discard_device_import(world.a, actor=world.technician, import_id=job.pk)
    assert discarded.status == ImportStatus.DISCARDED and discarded.content == ""
    with pytest.raises(ActionError):
        apply_device_import(world.a, actor=world.technician, import_id=job.pk)
    with pytest.raises(AccessDenied):
        preview_device_import(
            world.a, actor=world.a_lead, file_name="x", data_base64=b64("name,type\na,laptop\n")
        )
