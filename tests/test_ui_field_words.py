"""Issue 27: the back office's field labels and headings are in the user's language (Finnish,
Swedish, English: ui/field_words.py), each with the API name beside it in a muted span, the
inputs' ids and names unchanged; and the header says "read only" only for a credential that
can change nothing in the back office. The pages are fetched over HTTP as a browser does and
parsed as HTML; one browser run finds an input by its label in either form and runs axe-core."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from access_util import new_client
from conftest import ADMIN, new_company
from fastapi.testclient import TestClient
from ui_util import chromium, needs_chromium, serious_violations, served, sign_in, signed_in

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def all(self, tag: str, **attrs: str) -> list["Node"]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag and all(c.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                    found.append(c)
                found += c.all(tag, **attrs)
        return found

    def one(self, tag: str, **attrs: str) -> "Node":
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


@pytest.fixture(scope="module")
def admin_ui(app):
    return signed_in(app, admin_token=ADMIN)


def _get(http: TestClient, url: str, lang: str) -> Node:
    http.cookies.set("custreg_lang", lang, path="/ui")
    r = http.get(url)
    assert r.status_code == 200, r.text[:2000]
    doc = parse(r.text)
    assert doc.one("html").attrs["lang"] == lang
    return doc


def _label(doc: Node, input_id: str) -> str:
    """The label's text and its API name, checked to be in the muted span."""
    label = doc.one("label", for_=input_id)
    assert len(label.all("span", class_="api-name")) == 1
    return label.text()


@pytest.mark.parametrize(
    "lang,last,id_number",
    [
        ("fi", "Sukunimi", "Henkilö- tai Y-tunnus"),
        ("sv", "Efternamn", "Person- eller FO-nummer"),
        ("en", "Last name", "Identity number"),
    ],
)
def test_the_customer_form_labels_its_fields_in_the_language(app, client, admin_ui, lang, last, id_number):
    cuid = new_company(client)
    doc = _get(admin_ui, f"/ui/c/{cuid}/customers/new", lang)
    assert _label(doc, "f-lastName") == f"{last} lastName"
    assert _label(doc, "f-idNumber") == f"{id_number} idNumber"
    assert _label(doc, "f-iban") == "IBAN iban"
    # The inputs keep their ids and names: what the browser tests and the form post use.
    assert doc.one("input", id="f-lastName").attrs["name"] == "lastName"
    assert doc.one("input", id="f-iban").attrs["name"] == "iban"
    # Every input of the form has a label, and every label names its field beside its words.
    for label in doc.one("form", class_="card").all("label"):
        api_name = label.attrs["for"].removeprefix("f-")
        assert label.one("span", class_="api-name").text() == api_name


@pytest.mark.parametrize(
    "lang,bban,default", [("fi", "Tilinumero (BBAN)", "Oletustili"), ("sv", "Kontonummer (BBAN)", "Standardkonto")]
)
def test_a_bank_accounts_record_form_labels_its_fields_in_the_language(client, admin_ui, lang, bban, default):
    cuid = new_company(client)
    r = client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Lahti"})
    guid = r.json()["customerGuid"]
    doc = _get(admin_ui, f"/ui/c/{cuid}/customers/{guid}/records/bank-accounts", lang)
    assert _label(doc, "f-iban") == "IBAN iban"
    assert _label(doc, "f-bban") == f"{bban} bban"
    assert _label(doc, "f-defaultAccount") == f"{default} defaultAccount"
    assert doc.one("input", id="f-iban").attrs["name"] == "iban"


def test_a_loans_rows_have_localized_headings_and_a_name_per_row(client, admin_ui):
    cuid = new_company(client)
    r = client.post(f"/v1/companies/{cuid}/customers", json={"lastName": "Lahti"})
    guid = r.json()["customerGuid"]
    doc = _get(admin_ui, f"/ui/c/{cuid}/customers/{guid}/records/loans", "en")
    periods = doc.one("fieldset", class_="rows")
    assert periods.one("legend").text() == "Interest periods periods"
    assert "Interest rate % interestRate" in [th.text() for th in periods.all("th")]
    rate = doc.one("input", id="f-periods-0-interestRate")
    assert rate.attrs["name"] == "periods-0-interestRate"
    assert rate.attrs["aria-label"] == "Interest rate % interestRate 1"


@pytest.mark.parametrize(
    "lang,headings",
    [
        ("fi", ["Sukunimi lastName", "Henkilö- tai Y-tunnus idNumber", "Asiakasnumero customerNumber"]),
        ("sv", ["Efternamn lastName", "Person- eller FO-nummer idNumber", "Kundnummer customerNumber"]),
    ],
)
def test_the_customer_page_heads_fields_and_columns_in_the_language(client, admin_ui, lang, headings):
    cuid = new_company(client)
    body = {
        "firstName": "Liisa",
        "lastName": "Lahti",
        "idNumber": "131052-308T",
        "bankAccounts": [{"iban": "FI2112345600000785"}],
    }
    r = client.post(f"/v1/companies/{cuid}/customers", json=body)
    assert r.status_code == 201, r.text
    doc = _get(admin_ui, f"/ui/c/{cuid}/customers/{r.json()['customerGuid']}", lang)
    fields = [dt.text() for dt in doc.one("section", id="fields").all("dt")]
    assert set(headings) <= set(fields), fields
    columns = [th.text() for th in doc.one("section", id="bankAccounts").all("th")]
    assert "IBAN iban" in columns, columns
    default = {"fi": "Oletustili defaultAccount", "sv": "Standardkonto defaultAccount"}[lang]
    assert default in columns, columns


@pytest.mark.parametrize(
    "scopes,read_only",
    [
        (["customers:read"], True),
        (["customers:read", "webhooks:read"], True),
        (["customers:read", "customers:delete"], True),  # "Delete" is on a record's form: customers:write
        (["register:admin"], False),
        (["customers:read", "register:admin"], False),
        (["customers:read", "webhooks:write"], False),
        (["customers:read", "privacy:erase"], False),
        (["customers:read", "customers:write"], False),
        (["admin"], False),
    ],
)
def test_the_header_says_read_only_only_when_nothing_can_be_changed(app, client, scopes, read_only):
    a, b = new_company(client), new_company(client)
    who = new_client(client, [a, b], scopes)
    http = signed_in(app, client_id=who["clientId"], client_secret=who["clientSecret"])
    for lang, words in (("fi", "Vain luku"), ("en", "Read only")):
        header = _get(http, "/ui", lang).one("header")  # the company picker: any signed-in credential
        assert (words in header.text()) is read_only, header.text()
        assert len(header.all("span", id="read-only")) == (1 if read_only else 0)
    admin = _get(signed_in(app, admin_token=ADMIN), "/ui", "en").one("header")
    assert "Read only" not in admin.text()


@needs_chromium
def test_in_the_browser_an_input_is_found_by_its_words_or_its_api_name(client, database_url, tmp_path):
    cuid = new_company(client)
    with served(database_url, tmp_path) as server, chromium(server.base) as browser:
        page = browser.page()
        sign_in(page, server.base, admin=True)
        page.goto(f"{server.base}/ui/c/{cuid}/customers/new")
        page.select_option("#lang-choice", "fi")
        page.click("form.lang button[type=submit]")
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "fi"
        assert page.get_by_label("lastName").get_attribute("id") == "f-lastName"
        assert page.get_by_label("Sukunimi").get_attribute("id") == "f-lastName"
        assert serious_violations(page) == []  # the muted API names' contrast among the rest
        page.get_by_label("Sukunimi").fill("Korhonen")
        page.click("#save")
        page.wait_for_load_state()
        assert "Sukunimi lastName" in page.inner_text("#fields") and "Korhonen" in page.inner_text("#fields")
        assert serious_violations(page) == []
        assert browser.refused == []
