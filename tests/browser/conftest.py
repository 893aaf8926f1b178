"""Browser tests: the app served on 127.0.0.1 in a thread (CSRF on), driven by Playwright with
Debian's Chromium (/usr/bin/chromium; no browser download). Screenshots go to test-artifacts/."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from .scenario import log_in

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


PSEUDO_LOCALE = "eo"  # a browser asking for Esperanto gets the pseudo-locale (test_languages.py)


@pytest.fixture(scope="session")
def live_server(app, tmp_path_factory):
    """Base URL of the app served with CSRF protection on, sharing the test database; it also
    speaks a pseudo-locale whose every message is itself between ⟦ ⟧ (generated here)."""
    from app import create_app
    from app.core.catalogs import write_pseudo_catalogs

    pseudo = tmp_path_factory.mktemp("pseudo-catalogs")
    write_pseudo_catalogs(pseudo, PSEUDO_LOCALE)
    served = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True,
        PSEUDO_LOCALE=PSEUDO_LOCALE, EXTRA_TRANSLATION_DIRECTORIES=[str(pseudo)],
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (scripts/setup --dev installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


DESKTOP = {"width": 1280, "height": 900}


def watch_console(page, problems):
    """Collect console errors (CSP violations included) and uncaught exceptions of `page`."""
    page.on("console", lambda msg: problems.append(msg.text) if _is_problem(msg) else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))


@pytest.fixture
def page(chromium, live_server, request):
    """A fresh browser context and page; console errors and CSP violations fail the test."""
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP)
    page = context.new_page()
    problems = []
    watch_console(page, problems)
    page.set_default_timeout(10000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not problems, f"browser console errors: {problems}"


@pytest.fixture
def open_page(chromium, live_server):
    """open_page(user=None, **context options) → a page in a context of its own (1280×900 unless
    the options say otherwise), logged in through the form when a user is given; console errors
    and CSP violations on any of them fail the test."""
    contexts, problems = [], []

    def make(user=None, **options):
        context = chromium.new_context(base_url=live_server, **{"viewport": DESKTOP, **options})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        watch_console(page, problems)
        if user is not None:
            log_in(page, user)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, f"browser console errors: {problems}"


def _is_problem(message):
    """Console errors count, except the browser's note about an HTTP error status of a page."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def browser_login(make_user):
    """browser_login(page, user=None) → the user, logged in through the login form."""

    def login(page, user=None):
        user = user or make_user()
        log_in(page, user)
        return user

    return login
