"""Issue 24, item 3: a write that changes nothing is no change — no new version, no new
lastUpdatedAt, no change-feed entry, no audit entry (docs/customers.md, "What counts as a
change"). Through the native API and the compatibility APIs."""

from conftest import create_customer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

T = "/compat/tehden/company_customer"
CLVR = "/compat/clvr/customers"


def _feed(client, cuid) -> list:
    r = client.get(f"/v1/companies/{cuid}/changes", params={"limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def _state(client, cuid, url) -> tuple:
    got = client.get(url)
    assert got.status_code == 200, got.text
    body = got.json()
    history = client.get(f"{url}/history")
    assert history.status_code == 200, history.text
    return (
        body["version"],
        body["lastUpdatedAt"],
        got.headers["ETag"],
        len(_feed(client, cuid)),
        history.json()["total"],
    )


def test_native_empty_identical_patch_and_put_change_nothing(client, company, customers_url):
    c = create_customer(
        client, customers_url, firstName="Aino", lastName="Nieminen", street="Kauppakatu 1", city="Turku", notes="x"
    )
    url = f"{customers_url}/{c['customerGuid']}"
    assert client.patch(url, json={"attachedUsers": ["u-1"]}).status_code == 200
    client.post(f"{url}/addresses", json={"addressType": "DELIVERY", "city": "Oulu"})
    before = _state(client, company, url)
    full = client.get(url).json()

    for write in (
        lambda: client.patch(url, json={}),
        lambda: client.patch(url, json={"firstName": "Aino", "city": "Turku"}),
        lambda: client.put(url, json={k: full[k] for k in ("firstName", "lastName", "street", "city", "notes")}),
        lambda: client.put(url, json=full),  # what a client GOT, sent back
    ):
        r = write()
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == before[2] and r.json()["version"] == before[0]
        assert _state(client, company, url) == before

    # A real change still is one: one version, one feed entry, one audit entry.
    r = client.patch(url, json={"notes": "y"})
    assert r.json()["version"] == before[0] + 1
    after = _state(client, company, url)
    assert (after[3], after[4]) == (before[3] + 1, before[4] + 1)


def test_identical_record_replace_changes_nothing(client, company, customers_url):
    c = create_customer(client, customers_url, lastName="Records")
    url = f"{customers_url}/{c['customerGuid']}"
    r = client.post(f"{url}/consents", json={"channel": "EMAIL", "granted": True, "grantedAt": "2024-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    r = client.post(f"{url}/addresses", json={"addressType": "DELIVERY", "city": "Oulu", "street": "Rantakatu 2"})
    address = r.json()
    before = _state(client, company, url)
    r = client.put(
        f"{url}/addresses/{address['addressGuid']}",
        json={"addressType": "DELIVERY", "city": "Oulu", "street": "Rantakatu 2"},
    )
    assert r.status_code == 200, r.text
    r = client.put(f"{url}/consents/EMAIL", json={"granted": True, "grantedAt": "2024-01-01T00:00:00Z"})
    assert r.status_code == 200, r.text
    assert _state(client, company, url) == before
    history = client.get(f"{url}/consents/EMAIL/history").json()
    assert history["total"] == 1  # the grant, no second entry


def test_compat_resync_changes_nothing(client, company, customers_url):
    """A webshop sending the same customer again (Tehden update by external id, CLVR PUT)."""
    hdr = {"X-Company": company}
    body = {
        "lastName": "Korhonen",
        "firstName": "Liisa",
        "externalsystem_id": "6",
        "externalsystemidentifier": "w-1",
        "marketing_authorizations": {"EMAIL": True},
    }
    r = client.post(f"{T}/createTehdenCustomer", json=body, headers=hdr)
    assert r.status_code == 201, r.text
    url = f"{customers_url}/{r.json()['id']}"
    before = _state(client, company, url)
    for _ in range(2):
        r = client.post(f"{T}/updateTehdenCustomer", json=body, headers=hdr)
        assert r.status_code == 200, r.text
        r = client.post(f"{T}/updateTehdenCustomer", json={"identifier": r.json()["identifier"]}, headers=hdr)
        assert r.status_code == 200, r.text
    assert _state(client, company, url) == before


def test_clvr_identical_update_changes_nothing(client, company):
    hdr = {"X-Company": company}
    r = client.post(CLVR, json={"fullName": "Kalle Svensson", "lastname": "Svensson", "city": "Stockholm"}, headers=hdr)
    assert r.status_code == 201, r.text
    guid = r.json()["customerGuid"]
    url = f"/v1/companies/{company}/customers/{guid}"
    before = _state(client, company, url)
    r = client.put(f"{CLVR}/{guid}", json={"lastname": "Svensson", "email": None}, headers=hdr)
    assert r.status_code == 200, r.text
    assert _state(client, company, url) == before


def test_reimport_of_the_export_changes_nothing(client, company, customers_url):
    """The register's own export imported again (a re-sync): every row matches a customer,
    none changes, the feed and the versions stay."""
    for i in range(3):
        create_customer(
            client, customers_url, lastName=f"Importti{i}", street=f"Katu {i}", city="Oulu", email=f"i{i}@example.fi"
        )
    text = client.get(f"{customers_url}/export.csv").text
    before = client.get(customers_url).json()["value"]
    feed = len(_feed(client, company))
    r = client.post(f"{customers_url}/import", content=text.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["failed"] == 0 and r.json()["created"] == 0
    assert client.get(customers_url).json()["value"] == before
    assert len(_feed(client, company)) == feed


_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö -", min_size=1, max_size=20).map(str.strip).filter(bool)
_PATCHES = st.fixed_dictionaries(
    {},
    optional={
        "firstName": _TEXT | st.none(),
        "notes": _TEXT | st.none(),
        "city": _TEXT | st.none(),
        "street": _TEXT | st.none(),
        "creditLimit": st.integers(0, 10_000) | st.none(),
        "reverseTax": st.booleans() | st.none(),
        "latitude": st.floats(-90, 90, allow_nan=False) | st.none(),
    },
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patch=_PATCHES)
def test_any_patch_sent_twice_changes_once(client, company, customers_url, patch):
    """General rule: the second of two identical writes is no change."""
    c = create_customer(client, customers_url, lastName="Toisto", firstName="Eka", notes="n", city="Oulu")
    url = f"{customers_url}/{c['customerGuid']}"
    first = client.patch(url, json=patch)
    assert first.status_code == 200, first.text
    state = _state(client, company, url)
    second = client.patch(url, json=patch)
    assert second.status_code == 200 and second.json()["version"] == first.json()["version"]
    assert _state(client, company, url) == state
