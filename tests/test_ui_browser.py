"""Issue 27: the back office in headless Chromium against `custreg serve`. A clerk signs in
with an API client's credentials, finds a customer by typing part of a name, fixes an
invalid IBAN after seeing the error next to the field and sees the change in the history;
creates a customer after a henkilötunnus error; meets an If-Match conflict; changes a
consent; imports a CSV while its progress shows; signs out. No request leaves the host,
and axe-core finds no serious or critical violation on the list, customer and edit pages."""

import re
from pathlib import Path

import httpx
import pytest
from access_util import new_client
from conftest import new_company
from ui_util import chromium, needs_chromium, serious_violations, served, shoot, sign_in

pytestmark = needs_chromium
WRITER = ["customers:read", "customers:write"]
NAMES = ["Virtanen", "Korhonen", "Nieminen", "Mäkinen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen"]


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with served(database_url, tmp_path_factory.mktemp("ui")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    with chromium(server.base) as b:
        yield b
    assert b.refused == [], f"requests to other hosts: {b.refused}"


def _register(client, rows: int = 240) -> str:
    """A company with `rows` customers (imported) and one Kivimäki among them."""
    cuid = new_company(client)
    lines = ["firstName,lastName,city,idNumber"]
    lines += [f"Person{i},{NAMES[i % len(NAMES)]},Tampere," for i in range(rows)]
    lines.append("Kaisa,Kivimäki,Oulu,131052-308T")
    r = client.post(
        f"/v1/companies/{cuid}/customers/import",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 200 and r.json()["created"] == rows + 1, r.text
    return cuid


def _found(page, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('#results') && document.querySelector('#results').innerText.includes(t)", arg=text
    )


def test_a_clerk_finds_a_customer_fixes_an_iban_and_sees_the_history(client, server, browser):
    cuid = _register(client)
    clerk = new_client(client, [cuid], WRITER, name="clerk")
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    assert page.url.endswith(f"/ui/c/{cuid}/customers")  # one company reached: no picker
    assert "241" in page.inner_text("#row-count")
    assert serious_violations(page) == []
    shoot(page, "customer-list")

    page.fill("#q", "kivim")  # as one types: the results follow without a submit
    _found(page, "Kivimäki")
    assert page.inner_text("#row-count").startswith("1 ")
    assert "q=kivim" in page.url  # the address keeps the search
    page.click("text=Kaisa Kivimäki")
    page.wait_for_selector("#history")
    assert "131052-308T" in page.inner_text("#fields")
    assert serious_violations(page) == []

    page.click("#add-bankAccounts")
    page.fill("#f-iban", "FI21 1234 5600 0007 84")  # one digit wrong
    page.click("#save")
    error = page.inner_text("#e-iban")
    assert "checksum" in error or "check digit" in error, error
    assert page.get_attribute("#f-iban", "aria-invalid") == "true"
    page.fill("#f-iban", "FI21 1234 5600 0007 85")
    page.click("#save")
    page.wait_for_selector("#bankAccounts")
    assert "FI2112345600000785" in page.inner_text("#bankAccounts")
    assert "FI2112345600000785" in page.inner_text("#history")  # the audit trail shows the change
    shoot(page, "customer")


def test_create_shows_the_field_error_then_creates(client, server, browser):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    page.click("text=New customer")
    page.fill("#f-firstName", "Matti")
    page.fill("#f-lastName", "Meikäläinen")
    page.fill("#f-idNumber", "131052-308X")
    page.click("#save")
    assert "henkilötunnus" in page.inner_text("#e-idNumber")
    assert page.input_value("#f-lastName") == "Meikäläinen"  # what was typed stays
    assert serious_violations(page) == []
    shoot(page, "create-error")
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 0  # nothing written
    page.fill("#f-idNumber", "131052-308T")
    page.click("#save")
    page.wait_for_selector("#history")
    assert "Matti Meikäläinen" in page.inner_text("h1")
    body = client.get(f"/v1/companies/{cuid}/customers?searchWord=meikäläinen&$select=dateOfBirth").json()
    assert body["total"] == 1 and body["value"][0]["dateOfBirth"] == "1952-10-13"


def test_an_edit_meets_a_change_by_someone_else(client, server, browser):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    guid = client.post(f"/v1/companies/{cuid}/customers", json={"firstName": "Anna", "lastName": "Aalto"}).json()[
        "customerGuid"
    ]
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{guid}/edit")
    assert serious_violations(page) == []
    shoot(page, "edit")
    r = client.patch(f"/v1/companies/{cuid}/customers/{guid}", json={"email": "anna@aalto.fi"})
    assert r.status_code == 200
    page.fill("#f-city", "Turku")
    page.click("#save")
    page.wait_for_selector("#conflict")
    assert "someone else" in page.inner_text("#conflict")
    assert "anna@aalto.fi" in page.inner_text(".field:has(#f-email) .now")  # their new value
    assert page.input_value("#f-city") == "Turku"  # ours kept
    page.fill("#f-email", "anna@aalto.fi")
    page.click("#save")
    page.wait_for_selector("#history")
    got = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()
    assert got["city"] == "Turku" and got["email"] == "anna@aalto.fi" and got["version"] == 3


def test_a_consent_change_and_its_history(client, server, browser):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    guid = client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Salo"}).json()["customerGuid"]
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{guid}")
    page.select_option("#consent-channel", "EMAIL")
    page.select_option("#consent-granted", "true")
    page.fill("#consent-source", "phone call")
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#consents")
    page.select_option("#consent-channel", "EMAIL")
    page.select_option("#consent-granted", "false")
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("#consents")
    page.click("#consents summary")
    timeline = page.inner_text("#consents .timeline")
    assert timeline.index("GRANTED") < timeline.index("WITHDRAWN")
    history = client.get(f"/v1/companies/{cuid}/customers/{guid}/consents/EMAIL/history").json()
    assert [c["change"] for c in history["value"]] == ["GRANTED", "WITHDRAWN"]
    assert (
        history["value"][0]["source"] == "phone call"
        and history["value"][0]["changedBy"] == f"client:{clerk['clientId']}"
    )


def test_an_import_shows_its_progress_and_its_errors(client, server, browser, tmp_path):
    cuid = new_company(client)
    clerk = new_client(client, [cuid], WRITER)
    rows = ["lastName,email"] + [f"Import{i},i{i}@example.com" for i in range(3000)] + ["Broken,not-an-email"]
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("\n".join(rows), encoding="utf-8")
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    page.click("text=Import CSV")
    page.set_input_files("#file", str(csv_file))
    page.click("#start-import")
    page.wait_for_selector("#import-progress")
    assert page.get_attribute("#import-progress", "max") == "3001"
    page.wait_for_selector("#import[data-finished=true]", timeout=120_000)
    assert page.inner_text("#import-status") == "3001 / 3001"
    assert "created 3000" in page.inner_text("#import-report") and "failed 1" in page.inner_text("#import-report")
    shoot(page, "import")
    report = page.request.get(server.base + page.get_attribute("#import-errors", "href"))
    assert report.status == 200
    lines = report.text().splitlines()
    assert lines[0] == "row,field,message" and lines[1].startswith("3002,email,")
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 3000


def test_export_links_download_the_lists_customers(client, server, browser):
    cuid = _register(client, rows=8)
    clerk = new_client(client, [cuid], WRITER)
    page = browser.page()
    sign_in(page, server.base, client=clerk)
    page.fill("#q", "korhonen")
    page.wait_for_function("() => document.querySelector('#row-count').innerText.startsWith('1 ')")
    with page.expect_download() as download:
        page.click("text=Export CSV")  # the link carries the list's query
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert len(text.splitlines()) == 2 and "Korhonen" in text and "Virtanen" not in text
    xml = page.request.get(f"{server.base}/ui/c/{cuid}/export.xml")
    assert xml.status == 200 and xml.text().count("<customer>") == 9


def test_sign_out_ends_the_session(client, server, browser):
    cuid = new_company(client)
    page = browser.page()
    sign_in(page, server.base, admin=True)
    assert "/ui" in page.url
    # The picker lists the first 100 companies; the search finds any other (this session's
    # register holds many).
    page.fill("#company-q", cuid.upper())
    page.click("form[role=search] button[type=submit]")
    assert page.locator(f"a[href='/ui/c/{cuid}/customers']").count() == 1
    assert page.locator("ul.companies li").count() == 1
    shoot(page, "companies")
    page.click("#sign-out")
    page.wait_for_url(re.compile(r".*/ui/login$"))
    page.goto(f"{server.base}/ui/c/{cuid}/customers")
    assert page.url.endswith("/ui/login")
    shoot(page, "sign-in")


def test_language_is_remembered(client, server, browser):
    cuid = new_company(client)
    page = browser.page()
    sign_in(page, server.base, admin=True)
    page.goto(f"{server.base}/ui/c/{cuid}/customers")
    page.select_option("#lang-choice", "sv")
    page.click("form.lang button")
    assert page.inner_text("h1") == "Kunder"
    page.goto(f"{server.base}/ui/c/{cuid}/customers/new")
    assert page.inner_text("h1") == "Ny kund" and page.get_attribute("html", "lang") == "sv"
    page.select_option("#lang-choice", "en")
    page.click("form.lang button")
    assert page.inner_text("h1") == "New customer"


def test_no_page_loads_anything_from_another_host(server):
    page = httpx.get(f"{server.base}/ui/login")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
