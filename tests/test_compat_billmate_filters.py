"""Billmate's list parameters as its published OpenAPI names them: limit/start paging,
filter (comma-separated, `!` inverts) with search (a value is a phrase; repeated: every
value), rangeByDate, isCustomerType (private, company, unknown), isTitle and the stand-alone
is* flags; count and the export honour them."""

import datetime as dt

B = "/compat/billmate/customers"


def hdr(company):
    return {"X-Company": company}


def numbers(r):
    assert r.status_code == 200, r.text
    return [c["mexcParamvaluesetsid"] for c in r.json()]


def test_paging_and_filters(client, company):
    made = []
    for i in range(31):
        body = {"name": f"Person {i} Svensson", "countrycode": "se"}
        if i < 2:  # persons by their personal identity number; the others' type is unknown
            body["companyno"] = ("121212-1212", "811218-9876")[i]
        if i == 30:
            body = {"name": "Bolaget AB", "companyno": "556036-0793", "countrycode": "se", "reversetax": 1}
        r = client.post(B, json=body, headers=hdr(company))
        assert r.status_code == 200, r.text
        made.append(int(r.json()["mexcParamvaluesetsid"]))
    everyone = numbers(client.get(B, headers=hdr(company)))
    assert everyone == sorted(made)  # the default limit (100) answers all 31
    assert numbers(client.get(B, params={"limit": 10, "start": 25}, headers=hdr(company))) == sorted(made)[25:]
    assert numbers(client.get(B, params={"limit": 0}, headers=hdr(company))) == []

    def listed(**params):
        return numbers(client.get(B, params=params, headers=hdr(company)))

    company_no = made[-1]
    assert listed(filter="search", search="Bolaget") == [company_no]
    assert listed(filter="search", search=["Bolaget", "AB"]) == [company_no]  # repeated: every value
    assert listed(filter="search", search=["Bolaget", "Svensson"]) == []
    assert len(listed(filter="!search", search="Bolaget")) == 30
    assert listed(filter="isCustomerType", isCompany=1) == [company_no]
    assert listed(filter="isCustomerType", isPrivate=1, isCompany=1) == [*made[:2], company_no]
    assert len(listed(filter="isCustomerType", isPrivate=1, isCompany=1, isUnknown=1)) == 31
    assert listed(filter="isCustomerType", isUnknown=1) == made[2:30]
    assert listed(filter="isUnknown") == made[2:30]
    assert listed(filter="!isUnknown") == [*made[:2], company_no]
    assert listed(filter="isPrivate") == made[:2]
    assert listed(filter="isCompany") == [company_no]
    assert len(listed(filter="isCompany", isCompany=0)) == 30
    assert listed(filter="isTitle", isReverseTax=1) == [company_no]
    today = dt.date.today().isoformat()
    assert len(listed(filter="rangeByDate", **{"from": today, "to": today})) == 31
    assert listed(filter="rangeByDate", **{"from": "2000-01-01", "to": "2000-12-31"}) == []
    assert listed(filter="search,isCustomerType", search="Svensson", isCompany=1) == []
    r = client.get(f"{B}/count", params={"filter": "isCustomerType", "isUnknown": 1}, headers=hdr(company))
    assert r.json() == {"count": 28}
    r = client.get(f"{B}/export/csv", params={"filter": "isCompany"}, headers=hdr(company))
    assert r.status_code == 200 and len([line for line in r.text.splitlines() if line.strip()]) == 2
    r = client.get(B, params={"filter": "nosuch"}, headers=hdr(company))
    assert r.status_code == 400


def test_search_is_a_phrase(client, company):
    """`search=Nisse Hult` matches the string "Nisse Hult" (case- and accent-insensitive,
    from the start of a word); `search=Nisse&search=Hult` needs both words anywhere."""
    made = {}
    for name, extra in (
        ("Nisse Hult", {"address": "Storgatan 1", "postoffice": "Stockholm"}),
        ("Hult Nisse", {"address": "Lillgatan 2", "postoffice": "Solna"}),
        ("Nisse Berg", {"address": "Hultvägen 3", "postoffice": "Hult"}),
        ("Åsa Öberg", {"address": "Kungsgatan 4", "postcode": "123 45", "postoffice": "Göteborg"}),
    ):
        r = client.post(B, json={"name": name, "countrycode": "se", **extra}, headers=hdr(company))
        assert r.status_code == 200, r.text
        made[name] = r.json()["mexcParamvaluesetsid"]

    def listed(**params):
        return set(numbers(client.get(B, params={"filter": "search", **params}, headers=hdr(company))))

    assert listed(search="Nisse Hult") == {made["Nisse Hult"]}
    assert listed(search="nisse hu") == {made["Nisse Hult"]}  # the last word from its start
    assert listed(search=["Nisse", "Hult"]) == {made["Nisse Hult"], made["Hult Nisse"], made["Nisse Berg"]}
    assert listed(search="Hult Nisse") == {made["Hult Nisse"]}
    assert listed(search="isse Hult") == set()  # not from the start of a word
    assert listed(search="asa oberg") == {made["Åsa Öberg"]}
    assert listed(search="Kungsgatan 4") == {made["Åsa Öberg"]}
    assert listed(search="123 45") == {made["Åsa Öberg"]}
    assert listed(search="Göteborg") == {made["Åsa Öberg"]}
    assert listed(search="50% off") == set()  # LIKE's wildcards are the characters themselves
    r = client.get(f"{B}/count", params={"filter": "search", "search": "Nisse Hult"}, headers=hdr(company))
    assert r.json() == {"count": 1}
    r = client.get(
        B, params={"filter": "searchInInvoiceForm", "searchInInvoiceForm": "Hult Nisse"}, headers=hdr(company)
    )
    assert numbers(r) == [made["Hult Nisse"]]
    both = {"filter": "search,searchInInvoiceForm", "search": "Nisse", "searchInInvoiceForm": "Berg"}
    assert numbers(client.get(B, params=both, headers=hdr(company))) == [made["Nisse Berg"]]
    inverted = {"filter": "search,!searchInInvoiceForm", "search": "Nisse", "searchInInvoiceForm": "Berg"}
    assert numbers(client.get(B, params=inverted, headers=hdr(company))) == [made["Nisse Hult"], made["Hult Nisse"]]


def test_what_the_php_client_sends(client, anon, company):
    """Qvickly's PortalAPI (Guzzle): a bearer token from /oauth/token, `Content-Type:
    application/json` on GETs without a body, http_build_query's bracketed arrays and `+`
    spaces, the docs' trailing slash, DELETE with the id array as its body; 200 everywhere."""
    from access_util import new_client, token_for

    api = new_client(client, [company], ["customers:read", "customers:write", "customers:delete"])
    h = {"Authorization": f"Bearer {token_for(anon, api)}", "Content-Type": "application/json"}
    ids = []
    for body in (
        b'{"name":"Nisse Hult","countrycode":"se"}',
        b'{"name":"Bolaget AB","companyno":"556036-0793","countrycode":"se"}',
    ):
        r = anon.post(B, content=body, headers=h)
        assert r.status_code == 200, r.text
        ids.append(r.json()["mexcParamvaluesetsid"])
    assert all(isinstance(i, int) for i in ids)
    r = anon.get(f"{B}?filter%5B0%5D=search&search%5B0%5D=Nisse+Hult&limit=20", headers=h)
    assert numbers(r) == [ids[0]]
    r = anon.get(f"{B}/?filter=search%2CisCustomerType&search=Bolaget&isCompany=1", headers=h)
    assert numbers(r) == [ids[1]]
    r = anon.get(f"{B}?filter=%21search&search=Bolaget", headers=h)
    assert numbers(r) == [ids[0]]
    item = anon.get(f"{B}/{ids[0]}", headers=h).json()  # the id of a list item works in the path
    assert item["name"] == "Nisse Hult" and item["fax"] == "" and None not in item.values()
    r = anon.request("DELETE", B, content=f"[{ids[0]},{ids[1]}]".encode(), headers=h)
    assert r.status_code == 200 and r.json() == {"result": "Removed", "count": 2}
    assert anon.get(f"{B}/count", headers=h).json() == {"count": 0}


def test_import_of_its_own_csv_export(client, company):
    """The export read back into another company gives the same export; into its own
    company, rows naming its customers update them."""
    import csv
    import io

    from conftest import new_company

    nisse = {
        "name": "Nisse Hult",
        "countrycode": "se",
        "address2": "c/o Berg",
        "deliveryaddress": "Lager 5",
        "deliverypostcode": "12345",
        "deliverypostoffice": "Solna",
        "email": "nisse@example.se",
        "notes": 'A, "B"',
    }
    bolaget = {"name": "Bolaget AB", "companyno": "556036-0793", "countrycode": "se", "reversetax": "1", "export": "x"}
    for body in (nisse, bolaget):
        assert client.post(B, json=body, headers=hdr(company)).status_code == 200
    exported = client.get(f"{B}/export/csv", headers=hdr(company)).text
    csv_h = {"Content-Type": "text/csv"}
    other = new_company(client)
    r = client.post(f"{B}/import", content=exported.encode(), headers=hdr(other) | csv_h)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0}

    def rows(cuid):
        got = list(csv.DictReader(io.StringIO(client.get(f"{B}/export/csv", headers=hdr(cuid)).text)))
        return [{k: v for k, v in row.items() if k != "date"} for row in got]

    assert rows(other) == rows(company)
    assert rows(other)[0]["notes"] == 'A, "B"' and rows(other)[0]["deliverypostoffice"] == "Solna"
    again = exported.replace("Nisse Hult", "Nisse Hultén")
    r = client.post(f"{B}/import", content=again.encode(), headers=hdr(company) | csv_h)
    assert r.json() == {"created": 0, "updated": 2}
    assert client.get(f"{B}/1", headers=hdr(company)).json()["name"] == "Nisse Hultén"
    r = client.post(f"{B}/import", content=b"nosuch,name\r\n1,2\r\n", headers=hdr(company) | csv_h)
    assert r.status_code == 400 and "nosuch" in r.text
    r = client.post(f"{B}/import", content=b"name,email\r\nA,a@example.se\r\nB,bad\r\n", headers=hdr(other) | csv_h)
    assert r.status_code == 422 and "row 3" in r.text
    assert len(rows(other)) == 2  # all or nothing
