"""Browser fixtures: the test's app on a live server, Debian's Chromium driven by Playwright.

Playwright never downloads a browser here: it launches the system Chromium at CHROMIUM.
Every page records console messages and uncaught errors; a test fails at teardown if the
site's Content Security Policy blocked anything or a script threw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_service

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000
PHONE_VIEWPORT = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser with `browser` (select or skip them with -m)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        require_service("chromium", False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def open_page(browser, base_url: str, **context_options):
    """A page in a fresh context; asserts at teardown that no script error or CSP block happened."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", **context_options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    console: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    blocked = [text for text in console if "content security policy" in text.lower()]
    assert not blocked, f"the Content Security Policy blocked something: {blocked}"
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page (locale zh-CN) whose relative URLs go to the live server."""
    yield from open_page(browser, live_server)


@pytest.fixture
def phone_page(browser, live_server):
    """Like `page`, at a phone's viewport (390×844)."""
    yield from open_page(browser, live_server, viewport=PHONE_VIEWPORT)


@pytest.fixture
def axe_page(browser, live_server):
    """A desktop page whose context ignores the site's CSP so axe-core can be injected."""
    yield from open_page(browser, live_server, bypass_csp=True)


@pytest.fixture
def axe_phone_page(browser, live_server):
    """A phone page (390×844) whose context ignores the CSP so axe-core can be injected."""
    yield from open_page(browser, live_server, viewport=PHONE_VIEWPORT, bypass_csp=True)
