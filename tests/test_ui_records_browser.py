"""Issue 27: a clerk keeps a customer's records in headless Chromium against `custreg serve`:
adds, edits (seeing the API's error next to the field first) and deletes an address, a
contact and a loan with its interest periods, with the one record form; meets a change by
someone else; records a customer's answer to an action. No request leaves the host; axe-core finds no serious or critical violation
on the record forms."""

import pytest
from access_util import new_client
from conftest import new_company
from ui_util import chromium, needs_chromium, serious_violations, served, shoot, sign_in

pytestmark = needs_chromium
CLERK = ["customers:read", "customers:write", "customers:delete"]


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with served(database_url, tmp_path_factory.mktemp("ui-records")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    with chromium(server.base) as b:
        yield b
    assert b.refused == [], f"requests to other hosts: {b.refused}"


def _clerk_on_customer(client, server, browser):
    cuid = new_company(client)
    guid = client.post(f"/v1/companies/{cuid}/customers", json={"firstName": "Aino", "lastName": "Aalto"}).json()[
        "customerGuid"
    ]
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], CLERK))
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{guid}")
    return page, f"/v1/companies/{cuid}/customers/{guid}"


def _save(page) -> None:
    page.click("#save")
    page.wait_for_load_state()


def _delete(page, section: str) -> None:
    page.click(f"#{section} a.edit-record")
    page.once("dialog", lambda dialog: dialog.accept())  # "Delete this record?"
    page.click("#delete")
    page.wait_for_selector("#history")


def test_an_address_is_added_fixed_after_its_error_changed_meanwhile_and_deleted(client, server, browser):
    page, api = _clerk_on_customer(client, server, browser)
    page.click("#add-addresses")
    assert serious_violations(page) == []
    page.select_option("#f-addressType", "DELIVERY")
    page.fill("#f-street", "Satamakatu 3")
    page.fill("#f-zipCode", "90100")
    page.fill("#f-city", "Oulu")
    page.fill("#f-countryCode", "XX")
    _save(page)
    assert "ISO 3166" in page.inner_text("#e-countryCode")
    assert page.get_attribute("#f-countryCode", "aria-invalid") == "true"
    assert page.input_value("#f-street") == "Satamakatu 3"  # what was typed stays
    assert serious_violations(page) == []
    shoot(page, "record-error")
    assert client.get(f"{api}/addresses").json()["total"] == 0  # nothing written
    page.fill("#f-countryCode", "FI")
    _save(page)
    page.wait_for_selector("#history")
    assert "Satamakatu 3" in page.inner_text("#addresses") and "DELIVERY" in page.inner_text("#addresses")

    page.click("#addresses a.edit-record")
    assert page.input_value("#f-city") == "Oulu"
    guid = client.get(f"{api}/addresses").json()["value"][0]["addressGuid"]
    assert client.put(f"{api}/addresses/{guid}", json={"city": "Kemi", "street": "Satamakatu 3"}).status_code == 200
    page.fill("#f-zipCode", "90120")
    _save(page)
    assert "someone else" in page.inner_text("#conflict")
    assert "Kemi" in page.inner_text(".field:has(#f-city) .now")  # their value
    assert page.input_value("#f-zipCode") == "90120"  # ours kept
    page.fill("#f-city", "Kemi")
    _save(page)
    page.wait_for_selector("#history")
    got = client.get(f"{api}/addresses/{guid}").json()
    assert got["city"] == "Kemi" and got["zipCode"] == "90120"

    _delete(page, "addresses")
    assert client.get(f"{api}/addresses").json()["total"] == 0
    assert "Satamakatu" not in page.inner_text("#addresses")


def test_a_contact_is_added_edited_after_an_email_error_and_deleted(client, server, browser):
    page, api = _clerk_on_customer(client, server, browser)
    page.click("#add-contacts")
    page.fill("#f-name", "Pekka Puhelin")
    page.fill("#f-phone", "040 123 4567")
    _save(page)
    page.wait_for_selector("#history")
    assert "+358401234567" in page.inner_text("#contacts")  # the API's rule: E.164
    page.click("#contacts a.edit-record")
    page.fill("#f-email", "pekka@@example")
    page.select_option("#f-isDefault", "true")
    _save(page)
    assert page.inner_text("#e-email")
    assert page.get_attribute("#f-email", "aria-invalid") == "true"
    assert serious_violations(page) == []
    page.fill("#f-email", "pekka@example.com")
    _save(page)
    page.wait_for_selector("#history")
    contact = client.get(f"{api}/contacts").json()["value"][0]
    assert contact["email"] == "pekka@example.com" and contact["isDefault"] is True
    assert "pekka@example.com" in page.inner_text("#history")  # the audit trail shows it
    _delete(page, "contacts")
    assert client.get(f"{api}/contacts").json()["total"] == 0


def test_a_loan_with_interest_periods(client, server, browser):
    page, api = _clerk_on_customer(client, server, browser)
    page.click("#add-loans")
    page.fill("#f-loanNumber", "L-2026-1")
    page.fill("#f-balance", "12000.50")
    page.fill("#f-periods-0-interestRate", "very high")
    _save(page)
    assert page.inner_text("#e-periods-0-interestRate")
    assert page.get_attribute("#f-periods-0-interestRate", "aria-invalid") == "true"
    assert serious_violations(page) == []
    page.fill("#f-periods-0-interestRate", "3.25")
    page.fill("#f-periods-0-interestFrom", "2026-01-01")
    _save(page)
    page.wait_for_selector("#history")
    assert "L-2026-1" in page.inner_text("#loans")
    page.click("#loans a.edit-record")
    assert page.input_value("#f-periods-0-interestRate") == "3.25"
    page.fill("#f-periods-1-interestRate", "4")  # the empty last row adds one
    page.fill("#f-balance", "11000")
    _save(page)
    page.wait_for_selector("#history")
    loan = client.get(f"{api}/loans").json()["value"][0]
    assert loan["balance"] == 11000 and [p["interestRate"] for p in loan["periods"]] == [3.25, 4.0]
    shoot(page, "customer-records")
    _delete(page, "loans")
    assert client.get(f"{api}/loans").json()["total"] == 0


def test_an_action_is_asked_and_answered(client, server, browser):
    page, api = _clerk_on_customer(client, server, browser)
    page.click("#add-actions")
    page.fill("#f-message", "May we send the invoice by e-mail?")
    page.fill("#f-responses", "YES\nNO")
    page.select_option("#f-allowPostpone", "true")
    _save(page)
    page.wait_for_selector("#history")
    page.click("#actions a.edit-record")
    page.fill("#a-postponeTo", "someday")
    page.click("#answer")
    assert page.inner_text("#e-answer-postponeTo")
    assert serious_violations(page) == []
    page.select_option("#a-response", "YES")
    page.fill("#a-postponeTo", "")
    page.click("#answer")
    page.wait_for_selector("#history")
    action = client.get(f"{api}/actions").json()["value"][0]
    assert action["response"] == "YES" and action["responses"] == ["YES", "NO"] and action["allowPostpone"] is True
