"""Issue 27, second part: duplicates, merge, erasure, subject export and webhooks in the back
office, in headless Chromium against `custreg serve`. A clerk merges two seeded duplicates
taking a value from the non-survivor (after a change by someone else), erasure is refused
by an active mandate with the rule named and then done, the subject export downloads the
customer's JSON, a webhook's secret shows once; a read-only client sees none of these
controls and its forged posts are refused. axe-core on every new page."""

import json
import time
from pathlib import Path

import pytest
from access_util import new_client
from conftest import create_customer, new_company
from events_util import add_webhook, events_client, receiver, worker  # noqa: F401 - a fixture
from sync_util import custreg_cli
from ui_util import chromium, needs_chromium, serious_violations, served, shoot, sign_in

pytestmark = needs_chromium
WRITER = ["customers:read", "customers:write"]
MANDATE = {
    "directDebitMandateType": 3,
    "receivingBankAccountNo": "FI2112345600000785",
    "referenceNo": "MND-1",
    "validFrom": "2020-02-01",
    "validUntil": "2999-01-31",
}


@pytest.fixture(scope="module")
def server(database_url, tmp_path_factory):
    with served(database_url, tmp_path_factory.mktemp("ui")) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    with chromium(server.base) as b:
        yield b
    assert b.refused == [], f"requests to other hosts: {b.refused}"


def test_a_clerk_merges_two_duplicates_taking_a_value_from_the_other(client, server, browser, database_url):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    kept = create_customer(
        client, url, firstName="Matti", lastName="Meikäläinen", email="matti@example.fi", city="Oulu"
    )
    other = create_customer(
        client, url, firstName="Matti", lastName="Meikäläinen", email="matti@example.fi", city="Espoo"
    )
    create_customer(client, url, firstName="Liisa", lastName="Laine")
    assert custreg_cli(database_url, "duplicates", "--company", cuid).returncode == 0
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], WRITER))
    page.click("#duplicates-link")
    table = page.inner_text("#candidates")
    assert "Meikäläinen" in table and "email" in table and "Laine" not in table
    assert serious_violations(page) == []
    shoot(page, "duplicates")

    page.click("#candidates a.button")
    n1, n2 = kept["customerNumber"], other["customerNumber"]
    assert page.is_checked(f"#survivor-{n1}") and page.is_checked(f"#pick-city-{n1}")
    assert serious_violations(page) == []
    page.check(f"#pick-city-{n2}")  # Espoo, from the one merged away
    r = client.patch(f"{url}/{other['customerGuid']}", json={"workPhone": "+358 9 123 4567"})
    assert r.status_code == 200  # someone else, meanwhile
    page.click("#do-merge")
    assert "someone else" in page.inner_text("#conflict")
    assert "+35891234567" in page.inner_text("#merge-fields")  # the screen shows the new values
    assert page.is_checked(f"#pick-city-{n2}")  # the choice stays
    shoot(page, "merge")
    page.click("#do-merge")
    page.wait_for_selector("#merged")
    assert f"#{n1}" in page.inner_text("h1") and "Espoo" in page.inner_text("#fields")
    got = client.get(f"{url}/{kept['customerGuid']}").json()
    assert got["city"] == "Espoo" and got["workPhone"] == "+35891234567"
    assert client.get(f"{url}/count").json()["count"] == 2


def test_the_customers_own_candidates_are_computed_live(client, server, browser):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    one = create_customer(client, url, firstName="Åsa", lastName="Lindström", email="asa@example.se")
    create_customer(client, url, firstName="Asa", lastName="Lindstrom", email="asa@example.se")
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], WRITER))
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{one['customerGuid']}")
    page.click("#find-duplicates")
    assert "Lindstrom" in page.inner_text("#candidates") and "email" in page.inner_text("#candidates")
    assert serious_violations(page) == []


def test_erasure_refused_by_a_mandate_names_the_rule_then_erases(client, server, browser):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    c = create_customer(client, url, firstName="Zyxwanda", lastName="Qoppalainen")
    base = f"{url}/{c['customerGuid']}"
    mandate = client.post(f"{base}/direct-debit-mandates", json=MANDATE)
    assert mandate.status_code == 201, mandate.text
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], [*WRITER, "privacy:erase"]))
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{c['customerGuid']}")
    page.click("#erase")
    page.click("#confirm-erase")  # no reason
    assert page.inner_text("#e-reason") != "" and page.get_attribute("#erase-reason", "aria-invalid") == "true"
    page.fill("#erase-reason", "The customer asked")
    page.click("#confirm-erase")
    refused = page.inner_text("#erase-refused")
    assert "Direct debit mandates" in refused and "mandate" in refused
    assert serious_violations(page) == []
    shoot(page, "erase-refused")
    assert client.get(base).json()["lastName"] == "Qoppalainen"  # nothing erased

    assert client.delete(f"{base}/direct-debit-mandates/{mandate.json()['mandateGuid']}").status_code == 204
    page.click("#confirm-erase")  # the confirmation was made before that change
    assert "someone else" in page.inner_text("#conflict")
    assert client.get(base).json()["lastName"] == "Qoppalainen"
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{c['customerGuid']}/erase")
    page.fill("#erase-reason", "The customer asked")
    page.click("#confirm-erase")
    page.wait_for_selector("#erased")
    assert "Qoppalainen" not in page.inner_text("main") and "Zyxwanda" not in page.inner_text("main")
    assert client.get(base).json()["lastName"] is None


def test_the_subject_export_downloads_the_customers_json(client, server, browser):
    cuid = new_company(client)
    c = create_customer(client, f"/v1/companies/{cuid}/customers", lastName="Export", email="export@example.fi")
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], ["customers:read"]))
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{c['customerGuid']}")
    with page.expect_download() as download:
        page.click("#subject-export")
    assert download.value.suggested_filename == f"customer-{c['customerNumber']}.json"
    body = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    text = json.dumps(body)
    assert "export@example.fi" in text and "Export" in text and str(c["customerGuid"]) in text


def test_a_webhook_shows_its_secret_once_is_disabled_and_deleted(client, server, browser):
    cuid = new_company(client)
    page = browser.page()
    who = new_client(client, [cuid], ["customers:read", "webhooks:read", "webhooks:write"])
    sign_in(page, server.base, client=who)
    page.click("#webhooks-link")
    assert page.locator("#no-webhooks").count() == 1
    assert serious_violations(page) == []
    page.fill("#wh-url", "ftp://nowhere")
    page.click("#create-webhook")
    assert page.inner_text("#e-url") != "" and page.locator("#new-webhook-secret").count() == 0
    page.fill("#wh-url", "https://hooks.example.com/custreg")
    page.fill("#wh-events", "customer.created, customer.updated")
    page.fill("#wh-description", "CRM")
    page.check("#wh-includeObject")
    page.click("#create-webhook")
    secret = page.inner_text("#new-webhook-secret")
    assert secret.startswith("whsec_")
    assert serious_violations(page) == []
    shoot(page, "webhooks")
    listed = client.get(f"/v1/companies/{cuid}/webhooks").json()["value"]
    assert [(w["url"], w["events"], w["includeObject"]) for w in listed] == [
        ("https://hooks.example.com/custreg", ["customer.created", "customer.updated"], True)
    ]
    page.goto(f"{server.base}/ui/c/{cuid}/webhooks")  # again: the secret is gone
    assert page.locator("#new-webhook-secret").count() == 0 and secret not in page.content()
    page.click("text=Disable")
    assert client.get(f"/v1/companies/{cuid}/webhooks").json()["value"][0]["enabled"] is False
    page.click("text=Enable")
    assert client.get(f"/v1/companies/{cuid}/webhooks").json()["value"][0]["enabled"] is True
    page.click(".delete-webhook")
    page.wait_for_selector("#no-webhooks")
    assert client.get(f"/v1/companies/{cuid}/webhooks").json()["value"] == []


def _until_delivered(http, url: str) -> None:
    """The worker notes the delivery after the receiver's answer: wait for that (bounded)."""
    for _ in range(300):
        if [d["status"] for d in http.get(url).json()["value"]] == ["delivered"]:
            return
        time.sleep(0.2)
    raise AssertionError(http.get(url).json())


def test_an_endpoints_recent_deliveries_show_their_status(events_client, server, browser, database_url):  # noqa: F811
    cuid = new_company(events_client)
    with receiver() as rec, worker(database_url) as start:
        hook = add_webhook(events_client, cuid, rec.url + "/hook", events=["customer.created"])
        create_customer(events_client, f"/v1/companies/{cuid}/customers", lastName="Delivered")
        start()
        rec.wait("/hook", lambda got: len(got) == 1)
        _until_delivered(events_client, f"/v1/companies/{cuid}/webhooks/{hook['id']}/deliveries")
    page = browser.page()
    sign_in(page, server.base, client=new_client(events_client, [cuid], ["customers:read", "webhooks:read"]))
    page.goto(f"{server.base}/ui/c/{cuid}/webhooks")
    row = page.inner_text("table.deliveries tbody tr")
    assert "customer.created" in row and "delivered" in row and "200" in row


def test_a_read_only_client_sees_none_of_these_controls_and_forged_posts_are_refused(client, server, browser):
    cuid = new_company(client)
    url = f"/v1/companies/{cuid}/customers"
    a = create_customer(client, url, firstName="Ritva", lastName="Rantanen", email="ritva@example.fi")
    b = create_customer(client, url, firstName="Ritva", lastName="Rantanen", email="ritva@example.fi")
    hook = client.post(f"/v1/companies/{cuid}/webhooks", json={"url": "https://hooks.example.com/x"}).json()
    page = browser.page()
    sign_in(page, server.base, client=new_client(client, [cuid], ["customers:read", "webhooks:read"]))
    assert page.locator("#duplicates-link").count() == 0
    page.goto(f"{server.base}/ui/c/{cuid}/customers/{a['customerGuid']}")
    assert page.locator("#erase").count() == 0 and page.locator("#find-duplicates").count() == 0
    assert page.locator("#subject-export").count() == 1  # reading is allowed
    page.goto(f"{server.base}/ui/c/{cuid}/webhooks")
    assert "hooks.example.com" in page.inner_text("main")
    assert page.locator("form[action*='/webhooks']").count() == 0  # no create, disable or delete
    assert serious_violations(page) == []
    ga, gb = a["customerGuid"], b["customerGuid"]
    forged = {
        f"/ui/c/{cuid}/customers/{ga}/erase": {"reason": "forged", "version": "1"},
        f"/ui/c/{cuid}/merge": {"c": [ga, gb], "survivor": ga, f"version.{ga}": "1", f"version.{gb}": "1"},
        f"/ui/c/{cuid}/webhooks": {"url": "https://evil.example.com/"},
        f"/ui/c/{cuid}/webhooks/{hook['id']}/delete": {},
        f"/ui/c/{cuid}/webhooks/{hook['id']}/enabled": {"enabled": "false"},
    }
    csrf = page.get_attribute("input[name=csrf]", "value")  # the session's own token: the scope refuses
    for path, form in forged.items():
        assert page.request.post(server.base + path, form={"csrf": csrf, **form}).status == 403, path
    for path in (f"/ui/c/{cuid}/duplicates", f"/ui/c/{cuid}/merge?c={ga}&c={gb}", f"/ui/c/{cuid}/customers/{ga}/erase"):
        assert page.request.get(server.base + path).status == 403, path
    assert client.get(f"{url}/count").json()["count"] == 2
    assert client.get(f"{url}/{ga}").json()["lastName"] == "Rantanen"
    assert [w["enabled"] for w in client.get(f"/v1/companies/{cuid}/webhooks").json()["value"]] == [True]
