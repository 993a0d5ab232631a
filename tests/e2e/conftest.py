"""The real stack for browser tests: a throwaway PostgreSQL database, ``bootstrap_portal``
and ``seed_demo``, gunicorn and a Celery worker as subprocesses, and Debian chromium
driven by Playwright.

Nothing here uses the suite's in-process ``world``: the browser talks to real processes,
which only see committed data in their own database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    AccessibilityFindings,
    Database,
    Role,
    Stack,
    free_port,
    new_context,
    screenshot,
    signed_in_state,
    stack_env,
    venv_bin,
    watch_problems,
)


@pytest.fixture(scope="module")
def seed_demo_args() -> tuple[str, ...]:
    """Extra arguments of ``seed_demo`` for this module's stack; a test module overrides
    this fixture to change them (e.g. ``("--without-tickets",)`` for an empty service desk)."""
    return ()


@pytest.fixture(scope="module")
def stack(seed_demo_args: tuple[str, ...]) -> Iterator[Stack]:
    dist = ROOT / "frontend" / "dist"
    if not (dist / "index.html").exists():
        pytest.fail("frontend/dist/index.html is missing: run `npm --prefix frontend run build` first")
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("*-failed-*.png"):  # from an earlier run
        stale.unlink()
    database = Database.throwaway()
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="msp-e2e-"))
    env = stack_env(database.url, port, scratch / "dist", scratch / "outbox")
    running = Stack(port=port, env=env, log_dir=log_dir)
    try:
        # The build as it is now: a rebuild during the run must not change what is served.
        shutil.copytree(dist, scratch / "dist")
        (scratch / "outbox").mkdir()
        database.create()
        running.manage("bootstrap_portal")
        running.manage("seed_demo", *seed_demo_args)
        running.spawn(
            "web",
            [
                venv_bin("gunicorn"),
                "msp_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                # gunicorn 27's control socket defaults to one path per user: leave it to others.
                "--no-control-socket",
            ],
        )
        running.spawn(
            "worker",
            [
                venv_bin("celery"),
                "-A",
                "msp_portal",
                "worker",
                "--pool",
                "solo",
                "-l",
                "warning",
                "--hostname",
                f"e2e-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )
        running.wait_ready()
        yield running
    finally:
        running.stop()
        database.drop()
        shutil.rmtree(scratch, ignore_errors=True)


# ------------------------------------------------------------------ browser
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: while Playwright's sync API is alive its event loop counts
    # as running in this thread, and Django would refuse the ORM calls of later test modules
    # (SynchronousOnlyOperation).
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium); Playwright must not download one"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def new_page(request: pytest.FixtureRequest, browser: Any, stack: Stack) -> Iterator[Any]:
    """``new_page()`` → a page in a fresh browser context (own cookies: one role each);
    ``new_page(as_role=TECHNICIAN)`` → one already signed in as that role on their host
    (signed in once per stack, see harness.signed_in_state); ``width=360`` for a phone.

    Console errors and failed requests are collected on ``page.problems``; a failing test
    leaves a screenshot of each of its pages (``<test>-failed-<n>.png``)."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def make(*, as_role: Role | None = None, width: int = 1360, height: int = 860, **options: Any) -> Any:
        if as_role is not None and as_role.email is not None:
            options["storage_state"] = signed_in_state(browser, stack, as_role)
        context = new_context(browser, width=width, height=height, **options)
        contexts.append(context)
        page = watch_problems(context.new_page())
        pages.append(page)
        return page

    yield make
    if request.node.stash.get(FAILED, False):
        for number, page in enumerate(pages, 1):
            with contextlib.suppress(Exception):
                screenshot(page, f"{request.node.name}-failed-{number}")
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing browser test shows the tail of the web and worker logs (and ``new_page``
    leaves screenshots)."""
    report = yield
    if report.when == "call" and report.failed and "e2e" in item.keywords:
        item.stash[FAILED] = True
        stack_ = getattr(item, "funcargs", {}).get("stack")
        findings_only = call.excinfo is not None and call.excinfo.errisinstance(AccessibilityFindings)
        if isinstance(stack_, Stack) and not findings_only:
            logs = "\n".join(stack_.log_tail(label) for label in ("web", "worker"))
            report.sections.append(("e2e server logs", logs))
    return report
