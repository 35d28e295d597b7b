"""Issue 27: every record of a customer is created, edited and deleted in the back office
with the one record form (ui/records.py), by form posts as a browser sends them. The kind's
schema and service decide (the API's errors, next to their field; nothing written on an
error), an edit or delete under a stale ETag is "changed by someone else", delete needs
`customers:delete`, a read-only client sees no control and its posts are refused."""

import re
from urllib.parse import quote

import pytest
from access_util import new_client
from conftest import ADMIN, new_company
from ui_util import csrf, signed_in

WRITER = ["customers:read", "customers:write"]

# kind path: (create form, edit form (over the created one), a bad form, its field, the API field checked)
KINDS = {
    "addresses": (
        {"street": "Kauppakatu 1", "zipCode": "90100", "city": "Oulu", "countryCode": "FI"},
        {"city": "Turku"},
        {"city": "Oulu", "validFrom": "2025-02-01", "validTo": "2025-01-01"},
        "validTo",
        "city",
    ),
    "bank-accounts": (
        {"iban": "FI21 1234 5600 0007 85"},
        {"iban": "FI2112345600000785", "currencyCode": "EUR"},
        {"iban": "FI21 1234 5600 0007 84"},
        "iban",
        "currencyCode",
    ),
    "contacts": (
        {"name": "Pekka Puhelin", "email": "pekka@example.com"},
        {"name": "Pekka Puhelin", "role": "invoicing"},
        {"name": "Pekka", "email": "not-an-email"},
        "email",
        "role",
    ),
    "external-ids": (
        {"externalSystemId": "6", "externalSystemIdentifier": "W-1"},
        {"externalSystemId": "6", "externalSystemIdentifier": "W-2"},
        {"externalSystemId": "many", "externalSystemIdentifier": "W-3"},
        "externalSystemId",
        "externalSystemIdentifier",
    ),
    "consents": (
        {"channel": "EMAIL", "granted": "true", "source": "counter"},
        {"granted": "false", "source": "phone call"},
        {"channel": "CARRIER-PIGEON", "granted": "true"},
        "channel",
        "source",
    ),
    "parameters": (
        {"name": "tier", "type": "STRING", "value": "gold"},
        {"type": "STRING", "value": "platinum"},
        {"type": "STRING", "value": "no name"},
        "name",
        "value",
    ),
    "extra-fields": (
        {"name": "tags", "value": "vip\nnordic"},
        {"value": "vip"},
        {"name": "many", "value": "\n".join(f"v{i}" for i in range(101))},
        "value",
        "value",
    ),
    "direct-debit-mandates": (
        {"directDebitMandateType": "3", "receivingBankAccountNo": "FI2112345600000785"},
        {"directDebitMandateType": "3", "receivingBankAccountNo": "FI2112345600000785", "referenceNo": "M-7"},
        {
            "directDebitMandateType": "3",
            "receivingBankAccountNo": "X",
            "sendingBankAccountClass": "10",
            "sendingBankAccountNo": "FI00",
        },
        "sendingBankAccountNo",
        "referenceNo",
    ),
    "credit-insurances": (
        {"insuranceCompanyName": "Atradius", "amount": "1000.50", "currencyCode": "EUR"},
        {"insuranceCompanyName": "Atradius", "amount": "2000", "currencyCode": "EUR"},
        {"insuranceCompanyName": "Atradius", "amount": "-5"},
        "amount",
        "amount",
    ),
    "pledges": (
        {"pledgeKind": "GUARANTEE", "guaranteeAmount": "500"},
        {"pledgeKind": "GUARANTEE", "guaranteeAmount": "750"},
        {"pledgeKind": "GUARANTEE", "pledgeAmount": "5"},
        "pledgeAmount",
        "guaranteeAmount",
    ),
    "relations": (
        {"relatedCustomer": "{other}", "roleCode": "GUARANTOR"},
        {"relatedCustomer": "{other}", "roleCode": "CO_DEBTOR"},
        {"relatedCustomer": "99999999", "roleCode": "GUARANTOR"},
        "relatedCustomer",
        "roleCode",
    ),
    "actions": (
        {"message": "May we call you?", "responses": "YES\nNO"},
        {"message": "May we e-mail you?", "responses": "YES\nNO"},
        {"message": "No answers"},
        "responses",
        "message",
    ),
    "loans": (
        {"loanNumber": "L-1", "balance": "100", "periods-rows": "2", "periods-0-interestRate": "2.5"},
        {
            "loanNumber": "L-1",
            "balance": "80",
            "periods-rows": "2",
            "periods-0-interestRate": "2.5",
            "periods-1-interestRate": "3",
        },
        {"loanNumber": "L-2", "periods-rows": "1", "periods-0-interestRate": "a lot"},
        "periods-0-interestRate",
        "periods",
    ),
}
ID_FIELDS = {"consents": "channel", "parameters": "name", "extra-fields": "name"}


def _etag(html: str) -> str:
    return re.search(r'name="etag" value="([^"]*)"', html).group(1)


@pytest.fixture(scope="module")
def admin_ui(app):
    return signed_in(app, admin_token=ADMIN)


def _customer(client, cuid: str, last: str = "Lahti") -> str:
    r = client.post(f"/v1/companies/{cuid}/customers", json={"firstName": "Liisa", "lastName": last})
    assert r.status_code == 201, r.text
    return r.json()["customerGuid"]


def _fill(form: dict, other: str) -> dict:
    return {k: v.replace("{other}", other) for k, v in form.items()}


@pytest.mark.parametrize("kind", list(KINDS))
def test_create_edit_conflict_and_delete_of_every_kind(client, admin_ui, kind):
    create, edit, bad, bad_field, checked = KINDS[kind]
    cuid = new_company(client)
    guid = _customer(client, cuid)
    other = _customer(client, cuid, "Muu")
    api = f"/v1/companies/{cuid}/customers/{guid}/{kind}"
    form_url = f"/ui/c/{cuid}/customers/{guid}/records/{kind}"
    page = admin_ui.get(form_url)
    assert page.status_code == 200 and 'id="record-form"' in page.text
    token = csrf(page.text)

    # A bad form: the API's message next to its field, nothing written.
    version = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()["version"]
    r = admin_ui.post(form_url, data={"csrf": token, **_fill(bad, other)})
    assert r.status_code == 422, r.text
    assert f'id="e-{bad_field}"' in r.text, r.text
    assert f'aria-describedby="e-{bad_field}"' in r.text or bad_field in ("periods",)
    assert client.get(api).json()["total"] == 0
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}").json()["version"] == version

    # Create, as the API's POST.
    r = admin_ui.post(form_url, data={"csrf": token, **_fill(create, other)})
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/ui/c/{cuid}/customers/{guid}?saved=true#")
    listed = client.get(api).json()
    assert listed["total"] == 1, listed
    record = listed["value"][0]
    key = str(record[ID_FIELDS.get(kind) or next(k for k in record if k.endswith("Guid"))])

    # The customer page links to it; its form shows it with its ETag.
    customer_page = admin_ui.get(f"/ui/c/{cuid}/customers/{guid}").text
    link = f"/records/{kind}?key={quote(key, safe='')}"
    assert link in customer_page.replace("&amp;", "&")
    page = admin_ui.get(form_url, params={"key": key})
    assert page.status_code == 200
    old_tag = _etag(page.text)
    assert old_tag

    # Edit, as the API's PUT under If-Match.
    r = admin_ui.post(form_url, params={"key": key}, data={"csrf": token, "etag": old_tag, **_fill(edit, other)})
    assert r.status_code == 303, r.text
    changed = client.get(f"{api}/{quote(key, safe='')}").json()
    expected = _fill(edit, other).get(checked)
    if kind == "loans":
        assert [p["interestRate"] for p in changed["periods"]] == [2.5, 3.0] and changed["balance"] == 80
    elif kind == "extra-fields":
        assert changed["value"] == ["vip"]
    elif isinstance(changed[checked], int | float):
        assert changed[checked] == float(expected)
    elif kind == "direct-debit-mandates":
        assert changed["referenceNo"] == "M-7"
    else:
        assert changed[checked] == expected, changed

    # The same form again, under the old ETag: changed by someone else; nothing written.
    before = client.get(f"{api}/{quote(key, safe='')}").json()
    r = admin_ui.post(form_url, params={"key": key}, data={"csrf": token, "etag": old_tag, **_fill(create, other)})
    assert r.status_code == 409 and 'id="conflict"' in r.text
    assert 'class="now"' in r.text  # the current value next to the field that differs
    assert client.get(f"{api}/{quote(key, safe='')}").json() == before
    new_tag = _etag(r.text)
    assert new_tag != old_tag

    # Delete: under the old ETag refused, under the current one done.
    delete = f"{form_url}/delete"
    r = admin_ui.post(delete, params={"key": key}, data={"csrf": token, "etag": old_tag})
    assert r.status_code == 409 and client.get(api).json()["total"] == 1
    r = admin_ui.post(delete, params={"key": key}, data={"csrf": token, "etag": new_tag})
    assert r.status_code == 303, r.text
    assert client.get(api).json()["total"] == 0
    history = client.get(f"/v1/companies/{cuid}/customers/{guid}/history").json()["value"]
    assert history  # the audit trail has the changes


def test_a_writer_without_the_delete_scope_sees_no_delete_and_cannot_post_one(app, client):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    r = client.post(f"/v1/companies/{cuid}/customers/{guid}/contacts", json={"name": "Kalle"})
    key, tag = r.json()["contactGuid"], r.headers["etag"].strip('"')
    who = new_client(client, [cuid], WRITER)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    page = http.get(f"/ui/c/{cuid}/customers/{guid}/records/contacts", params={"key": key})
    assert page.status_code == 200 and 'id="delete"' not in page.text and 'id="save"' in page.text
    r = http.post(
        f"/ui/c/{cuid}/customers/{guid}/records/contacts/delete",
        params={"key": key},
        data={"csrf": csrf(page.text), "etag": tag},
    )
    assert r.status_code == 403
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}/contacts").json()["total"] == 1


def test_a_read_only_client_sees_no_record_control_and_its_posts_are_refused(app, client):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    client.post(f"/v1/companies/{cuid}/customers/{guid}/addresses", json={"city": "Oulu"})
    who = new_client(client, [cuid], ["customers:read"])
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    page = http.get(f"/ui/c/{cuid}/customers/{guid}").text
    assert "Oulu" in page and "/records/" not in page and "add-record" not in page
    token = csrf(page)  # the sign-out form's: this session's own token
    assert http.get(f"/ui/c/{cuid}/customers/{guid}/records/addresses").status_code == 403
    for kind, (create, *_) in KINDS.items():
        r = http.post(f"/ui/c/{cuid}/customers/{guid}/records/{kind}", data={"csrf": token, **create})
        assert r.status_code == 403, kind
    for step in ("direct-debit-mandates/close", "actions/response"):
        r = http.post(f"/ui/c/{cuid}/customers/{guid}/records/{step}", params={"key": guid}, data={"csrf": token})
        assert r.status_code == 403, step
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}/addresses").json()["total"] == 1


def test_a_record_form_without_the_csrf_token_is_refused(client, admin_ui):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    url = f"/ui/c/{cuid}/customers/{guid}/records/addresses"
    for sent in ({}, {"csrf": "not-it"}):
        assert admin_ui.post(url, data={**sent, "city": "Oulu"}).status_code == 403
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}/addresses").json()["total"] == 0


def test_a_named_record_deleted_meanwhile_is_a_conflict_and_a_pledge_form_shows_its_kind(client, admin_ui):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    base = f"/ui/c/{cuid}/customers/{guid}/records"
    api = f"/v1/companies/{cuid}/customers/{guid}/parameters"
    assert client.put(f"{api}/tier", json={"value": "gold"}).status_code == 201
    page = admin_ui.get(f"{base}/parameters", params={"key": "tier"}).text
    assert client.delete(f"{api}/tier").status_code == 204
    r = admin_ui.post(
        f"{base}/parameters", params={"key": "tier"}, data={"csrf": csrf(page), "etag": _etag(page), "value": "x"}
    )
    assert r.status_code == 409 and 'id="conflict"' in r.text
    assert client.get(api).json()["total"] == 0
    guarantee = admin_ui.get(f"{base}/pledges", params={"pledgeKind": "GUARANTEE"}).text
    assert 'name="guaranteeAmount"' in guarantee and 'name="pledgeAmount"' not in guarantee
    collateral = admin_ui.get(f"{base}/pledges", params={"pledgeKind": "COLLATERAL"}).text
    assert 'name="pledgeAmount"' in collateral and 'name="guaranteeAmount"' not in collateral
    assert admin_ui.get(f"{base}/no-such-kind").status_code == 404


@pytest.mark.parametrize("lang,word", [("fi", "Lisää"), ("sv", "Lägg till"), ("en", "Add")])
def test_the_record_forms_words_follow_the_language(client, admin_ui, lang, word):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    admin_ui.cookies.set("custreg_lang", lang, path="/ui")
    try:
        page = admin_ui.get(f"/ui/c/{cuid}/customers/{guid}").text
        assert f"+ {word}" in page
        form = admin_ui.get(f"/ui/c/{cuid}/customers/{guid}/records/actions").text
        assert f"{word}</h1>" not in form and f": {word}" in form
    finally:
        admin_ui.cookies.delete("custreg_lang", path="/ui")


def test_a_mandate_is_closed_and_an_action_answered_as_the_api_does(client, admin_ui):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    api = f"/v1/companies/{cuid}/customers/{guid}"
    base = f"/ui/c/{cuid}/customers/{guid}/records"
    mandate = client.post(
        f"{api}/direct-debit-mandates", json={"directDebitMandateType": 3, "receivingBankAccountNo": "FI21"}
    ).json()["mandateGuid"]
    page = admin_ui.get(f"{base}/direct-debit-mandates", params={"key": mandate}).text
    assert 'id="close-mandate"' in page
    token = csrf(page)
    r = admin_ui.post(f"{base}/direct-debit-mandates/close", params={"key": mandate}, data={"csrf": token})
    assert r.status_code == 303
    assert client.get(f"{api}/direct-debit-mandates/{mandate}").json()["closedAt"]
    page = admin_ui.get(f"{base}/direct-debit-mandates", params={"key": mandate}).text
    assert 'id="closed-at"' in page and 'id="close-mandate"' not in page
    r = admin_ui.post(f"{base}/direct-debit-mandates/close", params={"key": mandate}, data={"csrf": token})
    assert r.status_code == 422 and "already closed" in r.text  # the API's 409, shown

    action = client.post(f"{api}/actions", json={"message": "Call?", "responses": ["YES", "NO"]}).json()["actionGuid"]
    page = admin_ui.get(f"{base}/actions", params={"key": action}).text
    assert "<option>YES</option><option>NO</option>" in page and 'id="a-postponeTo"' not in page
    r = admin_ui.post(f"{base}/actions/response", params={"key": action}, data={"csrf": token, "response": "MAYBE"})
    assert r.status_code == 422 and 'id="e-answer-response"' in r.text and "must be one of YES, NO" in r.text
    assert client.get(f"{api}/actions/{action}").json()["response"] is None
    r = admin_ui.post(
        f"{base}/actions/response", params={"key": action}, data={"csrf": token, "response": "yes", "note": "happy"}
    )
    assert r.status_code == 303
    got = client.get(f"{api}/actions/{action}").json()
    assert got["response"] == "YES" and got["responseNote"] == "happy" and got["respondedBy"] == "admin:admin"
    page = admin_ui.get(f"{base}/actions", params={"key": action}).text
    assert 'id="answered"' in page and 'id="answer-form"' not in page
