"""Issue 22: `/docs` (Swagger UI) and `/redoc` (ReDoc) work with no network. Their assets are
served by custreg from an installed package; a headless Chromium whose every request to a
host other than 127.0.0.1 is refused renders the operations of both pages."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ADMIN
from serve_util import custreg_serve

CHROMIUM = "/usr/bin/chromium"  # Debian's (`apt-get install chromium`): Playwright's own download is not used


def test_the_pages_load_their_assets_from_custreg(anon):
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = anon.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert f"/docs-assets/{asset}" in r.text
        assert "https://" not in r.text and "http://" not in r.text, r.text
        assert r.headers["content-security-policy"] == "img-src 'self' data:"  # no logo from a CDN
        js = anon.get(f"/docs-assets/{asset}")
        assert js.status_code == 200 and len(js.content) > 100_000
    assert '"validatorUrl": null' in anon.get("/docs").text  # no badge from validator.swagger.io
    assert anon.get("/docs-assets/swagger-ui.css").status_code == 200
    assert anon.get("/docs/oauth2-redirect").status_code == 200


def _served(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTREG_")}
    env.update(CUSTREG_DATABASE_URL=f"sqlite:///{tmp_path / 'docs.db'}", CUSTREG_ADMIN_TOKEN=ADMIN)
    return custreg_serve(env, tmp_path)


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no {CHROMIUM}: `apt-get install chromium` (.ci/run does)")
def test_docs_and_redoc_render_in_chromium_with_no_network(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with _served(tmp_path) as served, sync_playwright() as pw:
        base = served.base
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context()
            refused: list[str] = []

            def only_loopback(route) -> None:
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort("internetdisconnected")

            context.route("**/*", only_loopback)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{base}/docs")
            create = page.locator(".opblock-post", has=page.locator('[data-path="/v1/companies"]'))
            expect(create.first).to_be_visible(timeout=60_000)
            expect(create.first.locator(".opblock-summary-description")).to_have_text("Create Company")
            assert page.locator(".opblock").count() > 50

            page.goto(f"{base}/redoc")
            expect(page.get_by_role("heading", name="Create Company").first).to_be_visible(timeout=60_000)
            assert page.get_by_role("heading", name="Get Customer").count() >= 1

            assert not errors, errors
            assert not refused, f"the pages asked other hosts for: {refused}"
        finally:
            browser.close()
