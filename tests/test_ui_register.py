"""Issue 27: register configuration in the back office. With `register:admin` a company's
codes, its dimensions with their values and its register rules are changed through the
API's services (errors next to their fields, nothing written on an error, a change by
someone else shown); other readers see them with no form, and a forged POST is refused."""

import html
import re

import pytest
from access_util import new_client
from conftest import new_company
from fastapi.testclient import TestClient
from ui_util import chromium, csrf, needs_chromium, serious_violations, served, shoot, sign_in, signed_in

CONFIGURER = ["customers:read", "register:admin"]
READ_ONLY = ["customers:read", "customers:write"]  # may write customers, not the configuration


def _signed_in(app, who: dict) -> TestClient:
    return signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])


def _form(page: str) -> dict:
    """The form's fields as a browser would send them (inputs, textareas, checked boxes)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="checkbox"' not in tag or " checked" in tag):
            data[name.group(1)] = html.unescape(value.group(1))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        data[name] = html.unescape(value)
    return data


def _details(client, cuid: str) -> dict:
    return client.get(f"/v1/companies/{cuid}/basic-details").json()


def test_segments_are_changed_added_and_removed_through_the_form(app, client):
    cuid = new_company(client)
    client.put(f"/v1/companies/{cuid}/basic-details/segments", json=[{"code": "OLD", "name": "Old one"}])
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    page = http.get(f"/ui/c/{cuid}/register").text
    assert f'href="/ui/c/{cuid}/register/segments"' in page and 'id="settings-form"' in page
    data = _form(http.get(f"/ui/c/{cuid}/register/segments").text)
    assert data["code-0"] == "OLD" and data["count"] == "4"  # one stored, three empty rows
    data.update(
        {"remove-0": "true", "code-1": "retail", "name-1": "Vähittäiskauppa", "code-2": "B2B", "name-2": "Yritykset"}
    )
    r = http.post(f"/ui/c/{cuid}/register/segments", data=data)
    assert r.status_code == 303, r.text
    assert _details(client, cuid)["segments"] == [
        {"code": "RETAIL", "name": "Vähittäiskauppa"},  # codes are stored upper-case, as the API stores them
        {"code": "B2B", "name": "Yritykset"},
    ]


def test_a_bad_code_is_shown_next_to_its_field_and_nothing_is_written(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    before = _details(client, cuid)["customerGroups"]
    data = _form(http.get(f"/ui/c/{cuid}/register/customerGroups").text)
    data.update({"code-0": "HAS SPACE", "name-0": "Bad", "code-1": "VIP", "name-1": ""})
    r = http.post(f"/ui/c/{cuid}/register/customerGroups", data=data)
    assert r.status_code == 422
    assert re.search(r'id="e-code-0">[^<]*pattern', r.text), r.text  # the schema's message, at its field
    assert 'id="e-name-1"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="HAS SPACE"' in r.text  # what was typed stays
    data.update({"code-0": "VIP", "name-0": "Tärkeät", "code-1": "VIP", "name-1": "Again"})
    r = http.post(f"/ui/c/{cuid}/register/customerGroups", data=data)
    assert r.status_code == 422 and re.search(r'id="e-code-1">duplicate code VIP', r.text), r.text
    assert _details(client, cuid)["customerGroups"] == before


def test_a_code_in_use_is_not_removed_and_the_form_says_by_how_many(app, client):
    cuid = new_company(client)
    client.put(f"/v1/companies/{cuid}/basic-details/segments", json=[{"code": "RETAIL", "name": "R"}])
    r = client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Käyttäjä", "segment": "RETAIL"})
    assert r.status_code == 201, r.text
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    data = _form(http.get(f"/ui/c/{cuid}/register/segments").text)
    r = http.post(f"/ui/c/{cuid}/register/segments", data={**data, "remove-0": "true"})
    assert r.status_code == 409
    assert re.search(r'id="e-code-0">used by 1', r.text), r.text
    assert _details(client, cuid)["segments"] == [{"code": "RETAIL", "name": "R"}]


def test_dimensions_and_their_values(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    data = _form(http.get(f"/ui/c/{cuid}/register/dimensions").text)
    data.update({"code-0": "COST", "name-0": "Kustannuspaikka", "values-0": "100 Myynti\n200 Hallinto\n"})
    assert http.post(f"/ui/c/{cuid}/register/dimensions", data=data).status_code == 303
    dims = _details(client, cuid)["dimensions"]
    assert dims == [
        {
            "code": "COST",
            "name": "Kustannuspaikka",
            "values": [{"code": "100", "name": "Myynti"}, {"code": "200", "name": "Hallinto"}],
        }
    ]
    page = http.get(f"/ui/c/{cuid}/register").text
    assert "<code>100</code> Myynti" in page
    data = _form(http.get(f"/ui/c/{cuid}/register/dimensions").text)
    data["values-0"] = "100 Myynti\n300\n100 Again"
    r = http.post(f"/ui/c/{cuid}/register/dimensions", data=data)
    assert r.status_code == 422 and re.search(r'id="e-values-0">line 2: name', r.text), r.text
    data["values-0"] = "100 Myynti\n100 Again"
    r = http.post(f"/ui/c/{cuid}/register/dimensions", data=data)
    assert r.status_code == 422 and 'id="e-values-0">duplicate value 100' in r.text, r.text
    assert _details(client, cuid)["dimensions"] == dims


def test_a_change_by_someone_else_meanwhile_is_shown_then_saved_over(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    data = _form(http.get(f"/ui/c/{cuid}/register/priceLists").text)
    client.put(f"/v1/companies/{cuid}/basic-details/postingGroups", json=[{"code": "P1", "name": "Theirs"}])
    data.update({"code-0": "LIST1", "name-0": "Mine"})
    r = http.post(f"/ui/c/{cuid}/register/priceLists", data=data)
    assert r.status_code == 412 and 'id="conflict"' in r.text and 'value="LIST1"' in r.text
    assert _details(client, cuid)["priceLists"] == []
    again = _form(r.text)  # the form now carries the current version
    assert http.post(f"/ui/c/{cuid}/register/priceLists", data=again).status_code == 303
    assert _details(client, cuid)["priceLists"] == [{"code": "LIST1", "name": "Mine"}]


def test_register_rules_are_changed_with_errors_next_to_the_field(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    page = http.get(f"/ui/c/{cuid}/register").text
    token = csrf(page)
    assert 'id="f-uniqueIdentityNumbers" name="uniqueIdentityNumbers" type="checkbox" value="true" checked' in page
    r = http.post(f"/ui/c/{cuid}/register/settings", data={"csrf": token, "financialRetentionYears": "200"})
    assert r.status_code == 422 and 'id="e-financialRetentionYears"' in r.text
    assert client.get(f"/v1/companies/{cuid}/basic-details/settings").json()["uniqueIdentityNumbers"] is True
    r = http.post(f"/ui/c/{cuid}/register/settings", data={"csrf": token, "financialRetentionYears": "6"})
    assert r.status_code == 303  # the box unticked: identity numbers no longer unique
    assert client.get(f"/v1/companies/{cuid}/basic-details/settings").json() == {
        "uniqueIdentityNumbers": False,
        "financialRetentionYears": 6,
    }


def test_without_register_admin_no_form_and_forged_posts_are_refused(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], READ_ONLY))
    page = http.get(f"/ui/c/{cuid}/register").text
    assert "CONSUMER" in page and 'id="settings-values"' in page
    assert "settings-form" not in page and f"/ui/c/{cuid}/register/" not in page  # no form, no edit link
    token = csrf(page)
    assert http.get(f"/ui/c/{cuid}/register/segments").status_code == 403
    r = http.post(f"/ui/c/{cuid}/register/segments", data={"csrf": token, "count": "1", "code-0": "X", "name-0": "X"})
    assert r.status_code == 403
    r = http.post(f"/ui/c/{cuid}/register/settings", data={"csrf": token, "financialRetentionYears": "9"})
    assert r.status_code == 403
    assert _details(client, cuid)["segments"] == []
    assert client.get(f"/v1/companies/{cuid}/basic-details/settings").json()["financialRetentionYears"] == 0


def test_a_post_without_the_csrf_token_is_refused(app, client):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    r = http.post(f"/ui/c/{cuid}/register/segments", data={"count": "1", "code-0": "X", "name-0": "X"})
    assert r.status_code == 403
    assert _details(client, cuid)["segments"] == []


@pytest.mark.parametrize(
    "lang,words", [("fi", "Rekisterin säännöt"), ("sv", "Registrets regler"), ("en", "Register rules")]
)
def test_the_register_pages_follow_the_language(app, client, lang, words):
    cuid = new_company(client)
    http = _signed_in(app, new_client(client, [cuid], CONFIGURER))
    http.cookies.set("custreg_lang", lang, path="/ui")
    assert words in http.get(f"/ui/c/{cuid}/register").text


@needs_chromium
def test_register_configuration_in_the_browser(client, database_url, tmp_path):
    cuid = new_company(client)
    configurer = new_client(client, [cuid], CONFIGURER)
    reader = new_client(client, [cuid], READ_ONLY)
    with served(database_url, tmp_path) as server, chromium(server.base) as browser:
        page = browser.page()
        sign_in(page, server.base, client=configurer)
        page.goto(f"{server.base}/ui/c/{cuid}/register")
        page.click("#edit-segments")
        page.fill("#f-code-0", "BAD CODE")  # a code has no spaces: the schema's error at the field
        page.fill("#f-name-0", "Vähittäis")
        page.click("#save")
        assert "pattern" in page.inner_text("#e-code-0")
        assert page.get_attribute("#f-code-0", "aria-invalid") == "true"
        assert serious_violations(page) == []
        shoot(page, "register-error")
        page.focus("#f-code-0")  # fixed and saved with the keyboard alone
        page.keyboard.press("Control+A")
        page.keyboard.type("RETAIL")
        page.keyboard.press("Enter")
        page.wait_for_selector("#saved")
        assert "RETAIL" in page.inner_text("#cat-segments + table")
        assert serious_violations(page) == []

        other = browser.page()
        sign_in(other, server.base, client=reader)
        other.goto(f"{server.base}/ui/c/{cuid}/register")
        assert "RETAIL" in other.inner_text("main")
        assert other.locator("#settings-form, #edit-segments, main form").count() == 0  # no form at all
        assert other.locator("main input, main textarea").count() == 0
        assert browser.refused == []
    assert _details(client, cuid)["segments"] == [{"code": "RETAIL", "name": "Vähittäis"}]
