"""Issue 26, detection: seeded duplicates come back as candidates with their reasons (the CLI
stores them, GET /customers/duplicates serves them, per customer computed live); unrelated
customers do not."""

from conftest import create_customer
from sync_util import custreg_cli


def _seed(client, url):
    made = {
        "mail1": create_customer(client, url, firstName="Matti", lastName="Meikäläinen", email="matti@example.fi"),
        "mail2": create_customer(client, url, firstName="M.", lastName="Virtanen", email="matti@example.fi"),
        "street1": create_customer(
            client,
            url,
            firstName="Åsa",
            lastName="Lindström",
            street="Östra Storgatan 12",
            zipCode="11122",
            city="Stockholm",
        ),
        "street2": create_customer(
            client,
            url,
            firstName="asa",
            lastName="LINDSTROM",
            street="OSTRA storgåtan 12",
            zipCode="11123",
            city="Solna",
        ),
        "phone1": create_customer(client, url, lastName="Korhonen", cellularPhone="040 123 4567"),
        "phone2": create_customer(client, url, lastName="Nieminen", cellularPhone="+358401234567"),
        "alone1": create_customer(
            client, url, firstName="Liisa", lastName="Laine", street="Kotikatu 1", zipCode="00100"
        ),
        "alone2": create_customer(
            client, url, firstName="Pekka", lastName="Lahtinen", street="Kotikatu 1", zipCode="00100"
        ),
        "alone3": create_customer(
            client, url, lastName="Heikkinen", email="heikki@example.fi", cellularPhone="+358409998877"
        ),
    }
    return {k: v["customerNumber"] for k, v in made.items()}


def _pairs(values) -> dict[frozenset, set]:
    return {frozenset(c["customerNumber"] for c in v["customers"]): {r["rule"] for r in v["reasons"]} for v in values}


def test_cli_stores_candidates_and_the_api_serves_them(client, company, customers_url, database_url):
    n = _seed(client, customers_url)
    assert client.get(f"{customers_url}/duplicates").json()["total"] == 0  # nothing computed yet
    r = custreg_cli(database_url, "duplicates", "--company", company)
    assert r.returncode == 0, r.stderr
    assert "9 customers, 3 candidate pairs stored" in r.stderr
    page = client.get(f"{customers_url}/duplicates").json()
    assert page["total"] == 3 and page["count"] == 3
    pairs = _pairs(page["value"])
    assert pairs == {
        frozenset((n["mail1"], n["mail2"])): {"email"},
        frozenset((n["street1"], n["street2"])): {"name+street"},
        frozenset((n["phone1"], n["phone2"])): {"phone"},
    }
    scores = [v["score"] for v in page["value"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    street = next(v for v in page["value"] if {r["rule"] for r in v["reasons"]} == {"name+street"})
    assert street["reasons"][0]["nameSimilarity"] == 100
    second = client.get(f"{customers_url}/duplicates", params={"$top": 1, "$skip": 1}).json()
    assert second["count"] == 1 and second["value"][0] == page["value"][1]
    # A deleted customer's pairs go with it.
    assert client.delete(f"{customers_url}/{n['phone2']}").status_code == 204
    assert client.get(f"{customers_url}/duplicates").json()["total"] == 2


def test_per_customer_candidates_are_computed_live(client, customers_url):
    n = _seed(client, customers_url)
    r = client.get(f"{customers_url}/{n['mail1']}/duplicates")
    assert r.status_code == 200, r.text
    assert _pairs(r.json()["value"]) == {frozenset((n["mail1"], n["mail2"])): {"email"}}
    assert r.json()["value"][0]["customers"][0]["customerNumber"] == n["mail1"]
    street = client.get(f"{customers_url}/{n['street1']}/duplicates").json()["value"]
    assert _pairs(street) == {frozenset((n["street1"], n["street2"])): {"name+street"}}
    assert client.get(f"{customers_url}/{n['alone3']}/duplicates").json()["value"] == []
    assert client.get(f"{customers_url}/{n['alone1']}/duplicates").json()["value"] == []
    same = create_customer(client, customers_url, firstName="Heikki", lastName="Heikkinen", email="heikki@example.fi")
    live = client.get(f"{customers_url}/{same['customerNumber']}/duplicates").json()["value"]
    assert _pairs(live) == {frozenset((same["customerNumber"], n["alone3"])): {"email"}}
