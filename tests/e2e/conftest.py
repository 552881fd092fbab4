"""The e2e suite: the production stack of stack.py, driven by Debian's Chromium through Playwright.

These tests never touch the ORM or pytest-django's test database: they speak HTTP to gunicorn, and
everything they know about the data comes from the pages.
"""

import os

import pytest

from .browser import CHROMIUM, CHROMIUM_ARGS
from .stack import PROJECT, Stack

CORPUS = PROJECT.parent / "shared" / "corpus" / "real"


@pytest.fixture(scope="package")
def stack():
    """One stack for the whole e2e package; every process ends and the temp dir goes, even on failure."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"e2e: {CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it")
    live = Stack()
    try:
        live.start()
        live.wait_until_served()
    except Exception as error:
        logs = live.logs()
        live.stop()
        pytest.fail(f"the e2e stack did not start: {error}\n{logs}", pytrace=False)
    try:
        yield live
    finally:
        live.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, the server's and the worker's logs go into the report, beside the traceback."""
    outcome = yield
    report = outcome.get_result()
    live = item.funcargs.get("stack") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(live, Stack):
        report.sections.append(("e2e stack logs", live.logs()))


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    # Started and stopped per module: while Playwright's event loop exists, Django's async-safety
    # check would refuse ORM calls in the ordinary tests that run after this package.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"e2e: {CORPUS} is absent (the shared corpus lives beside the project as ../shared)")
    return CORPUS
