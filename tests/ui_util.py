"""Helpers of the back-office tests (tests/test_ui_*.py): the served app, Debian's Chromium
with every request to another host refused and counted, sign-in (in the browser, and over
HTTP with a TestClient), and axe-core."""

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ADMIN
from fastapi.testclient import TestClient
from serve_util import Served, custreg_serve

CHROMIUM = "/usr/bin/chromium"  # Debian's (`apt-get install chromium`), as tests/test_api_docs.py
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.10.3, MPL-2.0 (vendor/axe-LICENSE.txt)
# Set to a folder (docs/ui) to save the main pages' screenshots there.
SHOTS = os.environ.get("CUSTREG_UI_SCREENSHOTS")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no {CHROMIUM}: `apt-get install chromium` (.ci/run does)"
)


@contextmanager
def served(database_url: str, cwd: Path) -> Iterator[Served]:
    """`custreg serve` on the test database (the one the `client` fixture writes to)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(CUSTREG_DATABASE_URL=database_url, CUSTREG_ADMIN_TOKEN=ADMIN)
    with custreg_serve(env, cwd) as s:
        yield s


@dataclass
class Browser:
    base: str
    browser: object
    refused: list[str] = field(default_factory=list)

    def page(self):
        """A page in a context of its own (its own cookies), every other host refused."""
        host = urlsplit(self.base).hostname

        def only_this_host(route) -> None:
            if urlsplit(route.request.url).hostname == host:
                route.continue_()
            else:
                self.refused.append(route.request.url)
                route.abort("internetdisconnected")

        # bypass_csp: axe-core is injected by the test; the pages themselves run no inline script.
        context = self.browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
        )
        context.route("**/*", only_this_host)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page


@contextmanager
def chromium(base: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield Browser(base, browser)
        finally:
            browser.close()


def sign_in(page, base: str, *, client: dict | None = None, admin: bool = False) -> None:
    page.goto(f"{base}/ui")
    assert page.url.endswith("/ui/login")
    if admin:
        page.fill("#admin_token", ADMIN)
    else:
        assert client is not None
        page.fill("#client_id", client["clientId"])
        page.fill("#client_secret", client["clientSecret"])
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/ui/login" not in page.url, page.content()[:2000]


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def csrf(html: str) -> str:
    """The CSRF token of the page's first form."""
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(app, **credentials: str) -> TestClient:
    """A TestClient signed in to the back office with `admin_token=...`, or `client_id=...` and
    `client_secret=...`, as the sign-in form posts them."""
    http = TestClient(app, follow_redirects=False)
    r = http.post("/ui/login", data={"csrf": csrf(http.get("/ui/login").text), **credentials})
    assert r.status_code == 303 and r.headers["location"] == "/ui", r.text
    return http
