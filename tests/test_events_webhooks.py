"""Webhook endpoints over HTTP (docs/events.md): create (the secret shown once), read, change,
delete, rotate; where webhooks may go; the signature and its verification helper."""

import hashlib
import hmac
import uuid

import pytest
from access_util import bearer, new_client, token_for
from conftest import assert_problem, new_company
from events_util import add_webhook, events_client  # noqa: F401 - a fixture
from hypothesis import given, settings
from hypothesis import strategies as st

from custreg.events import signing
from custreg.events.verify import SignatureError, verify


def test_create_shows_the_secret_once_and_lists_without_it(events_client):  # noqa: F811
    cuid = new_company(events_client)
    made = add_webhook(
        events_client, cuid, "http://127.0.0.1:9/hook", events=["customer.*"], description="CRM", includeObject=True
    )
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 30
    assert made["events"] == ["customer.*"] and made["includeObject"] is True and made["enabled"] is True
    url = f"/v1/companies/{cuid}/webhooks"
    listed = events_client.get(url).json()["value"]
    assert [w["id"] for w in listed] == [made["id"]]
    one = events_client.get(f"{url}/{made['id']}").json()
    assert "secret" not in one and "secret" not in listed[0]
    assert one["description"] == "CRM"


def test_patch_changes_only_what_is_sent_and_delete_removes(events_client):  # noqa: F811
    cuid = new_company(events_client)
    made = add_webhook(events_client, cuid, "http://127.0.0.1:9/a", events=["*"])
    url = f"/v1/companies/{cuid}/webhooks/{made['id']}"
    r = events_client.patch(url, json={"enabled": False, "events": ["*.deleted"]})
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is False and r.json()["events"] == ["*.deleted"]
    assert r.json()["url"] == made["url"] and r.json()["includeObject"] is False
    assert_problem(events_client.patch(url, json={"events": ["customer.merged.x"]}), 422, "events")
    assert_problem(events_client.patch(url, json={"url": None}), 422, "url")
    assert events_client.delete(url).status_code == 204
    assert_problem(events_client.get(url), 404)


def test_another_companys_webhook_is_not_found(events_client):  # noqa: F811
    mine, theirs = new_company(events_client), new_company(events_client)
    made = add_webhook(events_client, theirs, "http://127.0.0.1:9/a")
    assert_problem(events_client.get(f"/v1/companies/{mine}/webhooks/{made['id']}"), 404)
    assert_problem(events_client.delete(f"/v1/companies/{mine}/webhooks/{made['id']}"), 404)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",  # the cloud metadata address
        "https://100.100.100.200/hook",  # shared address space (a metadata address too)
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fd00:ec2::254]/hook",
        "http://93.184.216.34/hook",  # a public address, but plain http
        "ftp://93.184.216.34/hook",
        "https://user:pw@93.184.216.34/hook",
    ],
)
def test_private_or_plain_addresses_are_refused_by_default(client, url):
    cuid = new_company(client)
    assert_problem(client.post(f"/v1/companies/{cuid}/webhooks", json={"url": url}), 422, "url")


def test_a_public_https_address_is_accepted_and_patch_is_checked_too(client):
    cuid = new_company(client)
    made = add_webhook(client, cuid, "https://93.184.216.34/hook")
    r = client.patch(f"/v1/companies/{cuid}/webhooks/{made['id']}", json={"url": "https://127.0.0.1/x"})
    assert_problem(r, 422, "url")


def test_the_setting_allows_private_addresses_and_http(events_client):  # noqa: F811
    cuid = new_company(events_client)
    for url in ("http://127.0.0.1:8080/hook", "https://10.0.0.1/hook"):
        add_webhook(events_client, cuid, url)


def test_rotation_gives_a_new_secret_and_keeps_the_old_for_the_overlap(events_client):  # noqa: F811
    cuid = new_company(events_client)
    made = add_webhook(events_client, cuid, "http://127.0.0.1:9/a")
    r = events_client.post(f"/v1/companies/{cuid}/webhooks/{made['id']}/rotate-secret", json={"overlapSeconds": 3600})
    assert r.status_code == 200, r.text
    assert r.json()["secret"] != made["secret"] and r.json()["secretRotatedUntil"]


def test_scopes_read_and_write(events_client):  # noqa: F811
    cuid = new_company(events_client)
    reader = new_client(events_client, [cuid], ["webhooks:read"])
    headers = bearer(token_for(events_client, reader))
    assert events_client.get(f"/v1/companies/{cuid}/webhooks", headers=headers).status_code == 200
    r = events_client.post(f"/v1/companies/{cuid}/webhooks", json={"url": "http://127.0.0.1:9/"}, headers=headers)
    assert_problem(r, 403)


@settings(max_examples=50, deadline=None)
@given(body=st.binary(max_size=300), tamper=st.binary(min_size=1, max_size=5))
def test_a_signed_body_verifies_and_a_changed_one_does_not(body, tamper):
    secret, old = signing.new_secret(), signing.new_secret()
    header = signing.header([secret, old], body)
    assert verify(secret, header, body) == int(header.split(",")[0][2:])
    assert verify(old, header, body)
    with pytest.raises(SignatureError):
        verify(secret, header, body + tamper)
    with pytest.raises(SignatureError):
        verify(signing.new_secret(), header, body)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_and_old_ones_are_refused():
    secret, body = "whsec_test", b'{"id": "x"}'
    header = signing.header([secret], body, now=1_700_000_000)
    expected = hmac.new(secret.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert verify(secret, header, body, now=1_700_000_100) == 1_700_000_000
    with pytest.raises(SignatureError):
        verify(secret, header, body, now=1_700_000_000 + 301)
    with pytest.raises(SignatureError):
        verify(secret, f"v1={expected}", body)


def test_secrets_are_stored_encrypted(events_client, database_url):  # noqa: F811
    from sqlalchemy import create_engine, text

    cuid = new_company(events_client)
    made = add_webhook(events_client, cuid, "http://127.0.0.1:9/a")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT secret FROM webhook_endpoints WHERE endpoint_guid = :g"),
            {"g": uuid.UUID(made["id"]).hex if engine.dialect.name == "sqlite" else uuid.UUID(made["id"])},
        ).scalar_one()
    engine.dispose()
    assert made["secret"] not in stored and len(stored) > 50
