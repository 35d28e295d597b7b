"""Issue 27: who may do what in the back office. The session cookie (HttpOnly, SameSite=Strict,
signed, expiring, Secure over https), the CSRF token of every form, the company picker,
scopes (a read-only client sees no edit control and a forged form POST is refused),
revocation, and that the cookie is no bearer token."""

import re
import time

import jwt
import pytest
from access_util import bearer, new_client
from conftest import ADMIN, new_company
from fastapi.testclient import TestClient
from ui_util import chromium, csrf, needs_chromium, serious_violations, served, sign_in, signed_in

from custreg.ui import session as ui_session

READ_ONLY = ["customers:read"]
WRITER = ["customers:read", "customers:write"]


def _customer(client, cuid: str) -> str:
    r = client.post(f"/v1/companies/{cuid}/customers", json={"firstName": "Liisa", "lastName": "Lahti"})
    assert r.status_code == 201
    return r.json()["customerGuid"]


def test_the_cookie_is_http_only_strict_signed_and_expires(app, client):
    cuid = new_company(client)
    who = new_client(client, [cuid], WRITER)
    http = TestClient(app, follow_redirects=False)
    token = csrf(http.get("/ui/login").text)
    r = http.post("/ui/login", data={"csrf": token, "client_id": who["clientId"], "client_secret": who["clientSecret"]})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{ui_session.COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http here; over https the cookie is Secure:
    https = TestClient(app, base_url="https://testserver", follow_redirects=False)
    token = csrf(https.get("/ui/login").text)
    r = https.post(
        "/ui/login", data={"csrf": token, "client_id": who["clientId"], "client_secret": who["clientSecret"]}
    )
    assert "Secure" in r.headers["set-cookie"]
    value = http.cookies[ui_session.COOKIE]
    claims = jwt.decode(value, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == ui_session.LIFETIME and claims["sub"] == who["clientId"]
    assert who["clientSecret"] not in value  # the cookie names who signed in, never a secret

    # A changed claim breaks the signature: back to the sign-in page.
    forged = jwt.encode({**claims, "scope": "admin customers:write"}, "guessed", algorithm="HS256")
    other = TestClient(app, follow_redirects=False, cookies={ui_session.COOKIE: forged})
    assert other.get(f"/ui/c/{cuid}/customers").headers["location"] == "/ui/login"
    # An expired session likewise.
    key = ui_session._key(type("R", (), {"app": app})())  # the app's own key
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, key, algorithm="HS256")
    old = TestClient(app, follow_redirects=False, cookies={ui_session.COOKIE: expired})
    assert old.get(f"/ui/c/{cuid}/customers").headers["location"] == "/ui/login"
    # And the cookie is no bearer token for the API.
    assert client.get(f"/v1/companies/{cuid}/customers", headers=bearer(value)).status_code == 401


def test_wrong_credentials_and_a_sign_in_without_its_csrf_token_are_refused(app, client):
    cuid = new_company(client)
    who = new_client(client, [cuid], WRITER)
    http = TestClient(app, follow_redirects=False)
    token = csrf(http.get("/ui/login").text)
    r = http.post("/ui/login", data={"csrf": token, "client_id": who["clientId"], "client_secret": "wrong"})
    assert r.headers["location"] == "/ui/login?error=true" and ui_session.COOKIE not in http.cookies
    r = http.post("/ui/login", data={"csrf": token, "admin_token": "not-the-token"})
    assert r.headers["location"] == "/ui/login?error=true"
    r = http.post("/ui/login", data={"csrf": "made-up", "admin_token": ADMIN})
    assert r.status_code == 403 and ui_session.COOKIE not in http.cookies
    assert signed_in(app, admin_token=ADMIN).cookies[ui_session.COOKIE]


def test_the_company_picker_shows_only_the_companies_reached(app, client):
    a, b, hidden = new_company(client), new_company(client), new_company(client)
    who = new_client(client, [a, b], READ_ONLY)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    page = http.get("/ui").text
    assert f"/ui/c/{a}/customers" in page and f"/ui/c/{b}/customers" in page and hidden not in page
    assert http.get(f"/ui/c/{hidden}/customers").status_code == 403
    one = new_client(client, [a], READ_ONLY)
    http = signed_in(app, client_id=one["clientId"], client_secret=one["clientSecret"])
    assert http.get("/ui").headers["location"] == f"/ui/c/{a}/customers"  # nothing to pick


def test_a_read_only_client_sees_no_edit_control_and_its_forged_posts_are_refused(app, client):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    who = new_client(client, [cuid], READ_ONLY)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    listing = http.get(f"/ui/c/{cuid}/customers").text
    page = http.get(f"/ui/c/{cuid}/customers/{guid}").text
    assert "Liisa Lahti" in page
    for html in (listing, page):
        assert "/new" not in html and "/edit" not in html and "/import" not in html and "consent-form" not in html
    token = csrf(page)  # the sign-out form's: a valid CSRF token of this very session
    assert http.get(f"/ui/c/{cuid}/customers/{guid}/edit").status_code == 403
    forged = {"csrf": token, "version": "1", "firstName": "Hacked"}
    assert http.post(f"/ui/c/{cuid}/customers/{guid}/edit", data=forged).status_code == 403
    assert http.post(f"/ui/c/{cuid}/customers/new", data={"csrf": token, "lastName": "X"}).status_code == 403
    consent = {"csrf": token, "channel": "EMAIL", "granted": "true"}
    assert http.post(f"/ui/c/{cuid}/customers/{guid}/consents", data=consent).status_code == 403
    got = client.get(f"/v1/companies/{cuid}/customers/{guid}").json()
    assert got["firstName"] == "Liisa" and got["version"] == 1 and got["consents"] == []
    assert client.get(f"/v1/companies/{cuid}/customers/count").json()["count"] == 1


def test_a_form_post_without_the_sessions_csrf_token_is_refused(app, client):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    http = signed_in(app, admin_token=ADMIN)
    token = csrf(http.get(f"/ui/c/{cuid}/customers/{guid}/edit").text)
    for sent in ({}, {"csrf": "not-it"}, {"csrf": token[:-1]}):
        r = http.post(f"/ui/c/{cuid}/customers/{guid}/edit", data={**sent, "version": "1", "firstName": "Evil"})
        assert r.status_code == 403, sent
    r = http.post(f"/ui/c/{cuid}/customers/{guid}/edit", data={"csrf": token, "version": "1", "firstName": "Leena"})
    assert r.status_code == 303
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}").json()["firstName"] == "Leena"
    assert http.post("/ui/logout", data={}).status_code == 403  # sign-out is a form like the others


def test_a_revoked_client_is_out_at_once(app, client):
    cuid = new_company(client)
    who = new_client(client, [cuid], READ_ONLY)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    assert http.get(f"/ui/c/{cuid}/customers").status_code == 200
    assert client.delete(f"/v1/clients/{who['clientId']}").status_code == 204
    assert http.get(f"/ui/c/{cuid}/customers").status_code == 401


def test_a_form_with_errors_writes_nothing(app, client):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    http = signed_in(app, admin_token=ADMIN)
    token = csrf(http.get(f"/ui/c/{cuid}/customers/{guid}/edit").text)
    bad = {"csrf": token, "version": "1", "firstName": "Ok", "email": "not-an-email", "idNumber": "131052-308X"}
    r = http.post(f"/ui/c/{cuid}/customers/{guid}/edit", data=bad)
    assert r.status_code == 422
    assert 'id="e-email"' in r.text or 'id="e-idNumber"' in r.text
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}").json()["version"] == 1


@needs_chromium
def test_read_only_in_the_browser(client, database_url, tmp_path):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    who = new_client(client, [cuid], READ_ONLY)
    with served(database_url, tmp_path) as server, chromium(server.base) as browser:
        page = browser.page()
        sign_in(page, server.base, client=who)
        assert page.locator("text=New customer").count() == 0 and "Read only" in page.inner_text("header")
        page.goto(f"{server.base}/ui/c/{cuid}/customers/{guid}")
        assert page.locator("#edit").count() == 0 and page.locator("#consent-form").count() == 0
        assert page.locator("input:not([type=hidden]), textarea").count() == 0  # nothing to type into
        assert serious_violations(page) == []
        answer = page.request.post(
            f"{server.base}/ui/c/{cuid}/customers/{guid}/edit", form={"version": "1", "firstName": "Forged"}
        )
        assert answer.status == 403
        assert browser.refused == []
    assert client.get(f"/v1/companies/{cuid}/customers/{guid}").json()["firstName"] == "Liisa"


@pytest.mark.parametrize("lang,heading", [("fi", "Asiakkaat"), ("sv", "Kunder"), ("en", "Customers")])
def test_words_dates_and_numbers_follow_the_language(app, client, lang, heading):
    cuid = new_company(client)
    _customer(client, cuid)
    http = signed_in(app, admin_token=ADMIN)
    http.cookies.set("custreg_lang", lang, path="/ui")
    page = http.get(f"/ui/c/{cuid}/customers").text
    assert f'<html lang="{lang}">' in page and f"<h1>{heading}</h1>" in page


def test_api_clients_page_creates_with_the_secret_shown_once_and_revokes(app, client):
    cuid = new_company(client)
    http = signed_in(app, admin_token=ADMIN)
    token = csrf(http.get("/ui/clients").text)
    form = {"csrf": token, "name": "Kassa", "companies": [cuid], "scopes": ["customers:read"]}
    r = http.post("/ui/clients", data=form)
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    client_id = re.search(r'id="new-client-id">([^<]+)<', r.text).group(1)
    secret = re.search(r'id="new-client-secret">([^<]+)<', r.text).group(1)
    listed = http.get("/ui/clients").text
    assert client_id in listed and secret not in listed  # shown once, then never
    kassa = signed_in(app, client_id=client_id, client_secret=secret)
    assert kassa.get("/ui").headers["location"] == f"/ui/c/{cuid}/customers"
    assert kassa.get("/ui/clients").status_code == 403  # no admin scope
    bad = http.post("/ui/clients", data={"csrf": token, "name": "", "scopes": ["nope"]})
    assert bad.status_code == 422 and 'id="e-name"' in bad.text
    assert http.post(f"/ui/clients/{client_id}/revoke", data={"csrf": token}).status_code == 303
    assert kassa.get(f"/ui/c/{cuid}/customers").status_code == 401
    assert client.get(f"/v1/clients/{client_id}").json()["revokedAt"] is not None


def test_register_codes_page_shows_the_companys_codes(app, client):
    cuid = new_company(client)
    r = client.put(f"/v1/companies/{cuid}/basic-details/segments", json=[{"code": "RETAIL", "name": "Vähittäis"}])
    assert r.status_code == 200, r.text
    who = new_client(client, [cuid], READ_ONLY)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    page = http.get(f"/ui/c/{cuid}/register").text
    assert "<code>RETAIL</code>" in page and "Vähittäis" in page and "CONSUMER" in page
    listing = http.get(f"/ui/c/{cuid}/customers").text
    assert '<option value="RETAIL"' in listing  # the list's segment filter offers it


@pytest.mark.parametrize(
    "lang,words",
    [
        ("fi", ("Poista henkilötiedot", "Webhookit", "Kaksoiskappaleet")),
        ("sv", ("Radera personuppgifter", "Webhooks", "Dubbletter")),
        ("en", ("Erase personal data", "Webhooks", "Duplicates")),
    ],
)
def test_the_privacy_duplicates_and_webhooks_pages_follow_the_language(app, client, lang, words):
    cuid = new_company(client)
    guid = _customer(client, cuid)
    http = signed_in(app, admin_token=ADMIN)
    http.cookies.set("custreg_lang", lang, path="/ui")
    erase, hooks, duplicates = words
    assert f"<h1>{erase}: Liisa Lahti" in http.get(f"/ui/c/{cuid}/customers/{guid}/erase").text
    assert f"<h1>{hooks} " in http.get(f"/ui/c/{cuid}/webhooks").text
    assert f"<h1>{duplicates} " in http.get(f"/ui/c/{cuid}/duplicates").text
