"""Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import bank, lake, login, served_lake  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium missing (make test installs it)"))


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time():
    """The live server's threads share the in-memory SQLite test database's one connection, and
    the 360° page loads its panels at once: two transactions on one connection collide ("cannot
    start a transaction within a transaction", a session save then fails with 400). The live
    server answers one request at a time."""
    from django.core.handlers.wsgi import WSGIHandler

    original = WSGIHandler.__call__
    lock = threading.Lock()

    def serialized(self, environ, start_response):
        with lock:
            return original(self, environ, start_response)

    WSGIHandler.__call__ = serialized
    yield
    WSGIHandler.__call__ = original


@pytest.fixture(scope="session")
def browser():
    """One chromium for the session. Playwright's sync API keeps an event loop running in this
    thread, so Django's async-safety check is relaxed while it lives (the ORM calls stay synchronous)."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test, collecting console errors (e.g. CSP violations)."""
    # Reduced motion: charts draw without animation, so screenshots show them complete.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot under TENURE_HOME/test-artefacts/screenshots/."""
    folder = Path(settings.TENURE_HOME) / "test-artefacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def sign_in(page, username: str, password: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
