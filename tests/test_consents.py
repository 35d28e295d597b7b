"""Consents: one current state per channel, every change kept in the history."""

from conftest import assert_problem, create_customer


def test_grant_then_withdraw_email_keeps_both_changes_in_order(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/consents"
    r = client.put(
        f"{url}/EMAIL", json={"granted": True, "source": "webshop signup", "grantedAt": "2026-01-02T10:00:00Z"}
    )
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith("/consents/EMAIL")
    assert r.json()["granted"] is True and r.json()["channel"] == "EMAIL"
    r = client.put(f"{url}/email", json={"granted": False, "source": "unsubscribe link"})
    assert r.status_code == 200, r.text
    current = client.get(f"{url}/EMAIL").json()
    assert current["granted"] is False and current["source"] == "unsubscribe link"
    assert current["grantedAt"]  # the time of the request when not given

    history = client.get(f"{url}/EMAIL/history").json()
    assert history["total"] == 2 and history["count"] == 2 and history["skip"] == 0
    first, second = history["value"]
    assert (first["granted"], first["source"], first["change"]) == (True, "webshop signup", "GRANTED")
    assert first["grantedAt"].startswith("2026-01-02T10:00:00")
    assert (second["granted"], second["source"], second["change"]) == (False, "unsubscribe link", "WITHDRAWN")
    assert first["changedAt"] <= second["changedAt"]
    assert first["changedBy"] == "admin:admin" and second["changedBy"] == "admin:admin"
    # One current state per channel.
    page = client.get(url).json()
    assert page["total"] == 1 and page["value"][0]["granted"] is False


def test_history_survives_delete_and_lists_like_any_list(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerNumber']}/consents"
    assert client.post(url, json={"channel": "SMS", "granted": True, "source": "shop"}).status_code == 201
    assert_problem(client.post(url, json={"channel": "sms", "granted": False}), 409, "channel")
    assert client.delete(f"{url}/SMS").status_code == 204
    assert_problem(client.get(f"{url}/SMS"), 404)
    history = client.get(f"{url}/SMS/history").json()
    assert [h["change"] for h in history["value"]] == ["GRANTED", "DELETED"]
    newest = client.get(f"{url}/SMS/history", params={"$orderby": "changedAt desc", "$top": 1}).json()
    assert newest["count"] == 1 and newest["total"] == 2 and newest["value"][0]["change"] == "DELETED"
    only = client.get(f"{url}/SMS/history", params={"$filter": "granted eq true"}).json()
    assert only["total"] == 1
    assert_problem(client.get(f"{url}/SMS/history", params={"$filter": "nope eq 1"}), 400, "$filter")
    assert client.get(f"{url}/PHONE/history").json()["total"] == 0


def test_consent_changes_move_the_customer_and_show_in_its_get(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}"
    r = client.put(f"{url}/consents/PROFILING", json={"granted": True})
    assert r.status_code == 201
    after = client.get(url).json()
    assert after["version"] > c["version"] and after["lastUpdatedAt"] >= c["lastUpdatedAt"]
    assert [x["channel"] for x in after["consents"]] == ["PROFILING"]
    assert any(link["rel"] == "consents" for link in after["links"])
    # A customer PUT may carry back the record lists its GET returned (read-only, ignored).
    records = (
        "consents",
        "parameters",
        "extraFields",
        "directDebitMandates",
        "creditInsurances",
        "guarantees",
        "collaterals",
        "actions",
        "relations",
        "myGuarantors",
        "guaranteeFor",
        "allRelatedCustomers",
    )
    body = {"lastName": after["lastName"], **{k: after[k] for k in records}}
    r = client.put(url, json=body)
    assert r.status_code == 200, r.text
    assert [x["channel"] for x in r.json()["consents"]] == ["PROFILING"]


def test_consent_errors(client, customers_url):
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/consents"
    body = assert_problem(client.put(f"{url}/FAX", json={"granted": True}), 422, "channel")
    assert "EMAIL" in body["errors"][0]["message"] and "PROFILING" in body["errors"][0]["message"]
    assert_problem(client.put(f"{url}/EMAIL", json={"source": "x"}), 422, "granted")
    assert_problem(client.put(f"{url}/EMAIL", json={"granted": True, "bogus": 1}), 422, "bogus")
    assert_problem(client.put(f"{url}/EMAIL", json={"granted": True, "grantedAt": "yesterday"}), 422, "grantedAt")
    assert_problem(client.get(f"{url}/FAX"), 404)
    assert_problem(client.get(f"{url}/FAX/history"), 404)
    assert_problem(client.get(f"{customers_url}/999999/consents"), 404)


def test_history_names_the_api_client_that_made_the_change(client, company, customers_url):
    from access_util import bearer, new_client, token_for

    api = new_client(client, [company], ["customers:read", "customers:write"], name="webshop")
    headers = bearer(token_for(client, api))
    c = create_customer(client, customers_url)
    url = f"{customers_url}/{c['customerGuid']}/consents"
    r = client.put(f"{url}/SMS", json={"granted": True, "source": "checkout"}, headers=headers)
    assert r.status_code == 201, r.text
    client.put(f"{url}/SMS", json={"granted": False, "source": "customer service"})
    history = client.get(f"{url}/SMS/history", headers=headers).json()["value"]
    assert [h["changedBy"] for h in history] == [f"client:{api['clientId']}", "admin:admin"]
