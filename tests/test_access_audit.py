"""The audit trail: who, when, what, old → new; GET .../customers/{customer}/history."""

import datetime as dt

from access_util import bearer, new_client, token_for
from conftest import assert_problem, create_customer


def _history(http, url, **params):
    r = http.get(f"{url}/history", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_patch_of_email_shows_client_time_and_old_new(client, anon, company, customers_url):
    c = create_customer(client, customers_url, lastName="Audit", email="old@example.fi")
    url = f"{customers_url}/{c['customerNumber']}"
    writer = new_client(client, [company], ["customers:read", "customers:write"])
    token = token_for(anon, writer)
    before = dt.datetime.now(dt.UTC)
    r = anon.patch(url, json={"email": "new@example.fi"}, headers=bearer(token))
    assert r.status_code == 200, r.text
    after = dt.datetime.now(dt.UTC)

    page = _history(client, url)
    assert page["total"] == 2 and page["count"] == 2 and page["skip"] == 0
    latest, created = page["value"]
    assert (latest["actorType"], latest["actorId"]) == ("client", writer["clientId"])
    assert latest["operation"] == "update" and latest["resource"] == "customer"
    at = dt.datetime.fromisoformat(latest["at"].replace("Z", "+00:00"))
    assert before - dt.timedelta(seconds=1) <= at <= after + dt.timedelta(seconds=1)
    assert latest["changes"] == [{"field": "email", "old": "old@example.fi", "new": "new@example.fi"}]
    assert (created["actorType"], created["operation"]) == ("admin", "create")
    assert {"field": "lastName", "old": None, "new": "Audit"} in created["changes"]
    # The token and the secret are nowhere in the trail.
    r = client.get(f"{url}/history")
    assert token not in r.text and writer["clientSecret"] not in r.text
    # The client itself may read the history (customers:read).
    assert anon.get(f"{url}/history", headers=bearer(token)).json()["total"] == 2


def test_records_put_and_delete_are_audited_and_history_pages(client, customers_url):
    c = create_customer(client, customers_url, lastName="Records")
    url = f"{customers_url}/{c['customerGuid']}"
    r = client.post(f"{url}/addresses", json={"addressType": "DELIVERY", "city": "Turku"})
    assert r.status_code == 201, r.text
    guid = r.json()["addressGuid"]
    client.put(f"{url}/addresses/{guid}", json={"addressType": "DELIVERY", "city": "Oulu"})
    client.patch(url, json={"attachedUsers": ["u-1"]})
    client.put(url, json={"lastName": "Records", "firstName": "Rea"})  # keeps attachedUsers (not named)
    client.put(url, json={"lastName": "Records", "firstName": "Rea", "attachedUsers": []})  # clears them

    page = _history(client, url)
    entries = page["value"]
    resources = [(e["operation"], e["resource"]) for e in entries]
    assert ("create", f"addresses/{guid}") in resources
    assert ("delete", "attachedUsers") in resources and ("create", "attachedUsers") in resources
    city = [e for e in entries if e["resource"] == f"addresses/{guid}" and e["operation"] == "update"]
    assert {"field": "city", "old": "Turku", "new": "Oulu"} in city[0]["changes"]
    # Bookkeeping fields never show up as changes.
    names = {ch["field"] for e in entries for ch in e["changes"]}
    assert not names & {"version", "lastUpdatedAt", "searchText", "id", "customerId"}

    # Paging: $top/$skip, newest first; filter by resource.
    first = _history(client, url, **{"$top": 2})
    second = _history(client, url, **{"$top": 2, "$skip": 2})
    assert first["count"] == 2 and first["total"] == page["total"]
    assert [e["id"] for e in first["value"] + second["value"]] == [e["id"] for e in entries[:4]]
    only = _history(client, url, **{"$filter": "resource eq 'customer'"})
    assert {e["resource"] for e in only["value"]} == {"customer"}
    assert_problem(client.get(f"{url}/history", params={"$filter": "changes eq 1"}), 400)
    assert_problem(client.get(f"{url}/history", params={"$top": 101}), 400)

    # The trail outlives the customer.
    assert client.delete(url).status_code == 204
    after = _history(client, f"{customers_url}/{c['customerNumber']}")
    assert after["value"][0]["operation"] == "delete" and after["total"] > page["total"]
    assert_problem(client.get(f"{customers_url}/999999/history"), 404)
    assert_problem(client.get(f"{customers_url}/not-a-key/history"), 404)


def test_history_needs_read_scope_and_the_company(client, anon, company, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/history"
    other = new_client(client, [], ["customers:read"])
    assert_problem(anon.get(url, headers=bearer(token_for(anon, other))), 403)
    assert_problem(anon.get(url), 401)
