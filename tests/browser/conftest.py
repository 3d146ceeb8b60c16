"""Playwright driving Debian's chromium against pytest-django's live server."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import bank, lake, login, served_lake  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium missing (make test installs it)"))


# One lock for the live server's requests. The server's threads share the in-memory SQLite test
# database's one connection with the test itself: a request still running when the test's
# database is flushed collides with the flush ("cannot start a transaction within a transaction"
# at teardown, seen in CI), and two panel requests at once collide with each other.
SERVER_LOCK = threading.Lock()


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time():
    """The live server answers one request at a time (see SERVER_LOCK)."""
    from django.core.handlers.wsgi import WSGIHandler

    original = WSGIHandler.__call__

    def serialized(self, environ, start_response):
        with SERVER_LOCK:
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


# Counts the page's own requests in flight (XHRs, which htmx uses, and fetches) and notes when the
# page last started or finished one. htmx settles a swap 20 ms after its response and only then
# starts the requests of the panels it swapped in, so "done" is no request in flight and none
# started or finished for 100 ms (Playwright's own "networkidle" waits 500 ms).
TRACK_PAGE_WORK = """
(() => {
  let busy = 0;
  let last = performance.now();
  const begin = () => { busy += 1; last = performance.now(); };
  const end = () => { busy -= 1; last = performance.now(); };
  window.__tenureIdle = () => busy === 0 && performance.now() - last >= 100;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    begin();
    this.addEventListener("loadend", end, { once: true });
    return send.apply(this, args);
  };
  const fetch = window.fetch;
  window.fetch = (...args) => { begin(); return fetch(...args).finally(end); };
})();
"""


def settle(page) -> None:
    """Wait until the page has loaded, its own requests (htmx panels, chart data) are done and the
    server has finished every request it took. Call it before reading the database in a test;
    every tab calls it before it closes, so no request outlives the test's database."""
    page.wait_for_load_state("load")
    # A page the script never ran in (about:blank) has nothing in flight.
    page.wait_for_function("() => !window.__tenureIdle || window.__tenureIdle()")
    with SERVER_LOCK:
        pass


@contextlib.contextmanager
def browser_tab(browser, live_server, **options):
    """A fresh browser context and page, tracking the page's requests and collecting console errors
    (e.g. CSP violations); settled before it closes. Reduced motion: charts draw without
    animation, so screenshots show them complete."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "reduced_motion": "reduce"} | options
    context = browser.new_context(**options)
    context.add_init_script(TRACK_PAGE_WORK)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: tab.console_errors.append(msg.text) if msg.type == "error" else None)
    tab.base = live_server.url
    try:
        yield tab
        settle(tab)
    finally:
        context.close()
        with SERVER_LOCK:  # a request the server had already taken has finished
            pass


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized tab for the test."""
    with browser_tab(browser, live_server) as tab:
        yield tab


@pytest.fixture
def shot():
    """Save a full-page screenshot under TENURE_HOME/test-artefacts/screenshots/."""
    folder = Path(settings.TENURE_HOME) / "test-artefacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        settle(page)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def sign_in(page, username: str, password: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form button[type=submit]")
