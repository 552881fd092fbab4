"""Browser helpers shared by the e2e modules: Chromium's launch flags, signing in, screenshots."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install` (no internet, and we pin the driver)
# No internet here: without the background-networking flags Chromium's own connections are refused
# and slow every page down.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).parent / "artifacts"  # screenshots (git-ignored)
WIDTHS = {"desktop": 1280, "phone": 390}


def sign_in(browser, stack, username):
    """A fresh browser context (its own cookies) signed in as `username`; returns its page."""
    context = browser.new_context(
        base_url=stack.url, viewport={"width": WIDTHS["desktop"], "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", stack.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.url + "/")
    return page


def screenshot(page, name):
    """Full-page PNGs at desktop and phone width: tests/e2e/artifacts/<name>-<width>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
