"""Seed 002 (Aptic CLVR) compatibility endpoints, through HTTP."""

import uuid

import pytest
from conftest import assert_problem, new_company

C = "/compat/clvr/customers"

# The seed's create sample, its "string" placeholders replaced by valid values of the same shape.
CREATE_SAMPLE = {
    "clientReference": "client-ref-1",
    "customerReference": "cust-ref-1",
    "parentCustomer": None,
    "idNumber": "19811218-9876",
    "juridicalType": 0,
    "placeOfBirth": "Stockholm",
    "dateOfBirth": "1981-12-18T00:00:00Z",
    "gender": 1,
    "cultureCode": "sv-SE",
    "fullName": "Kalle Anders Svensson",
    "firstname": "Kalle",
    "middlename": "Anders",
    "lastname": "Svensson",
    "nameSuffix": "Jr",
    "street": "Storgatan",
    "houseNo": "1",
    "houseNoExtension": "B",
    "city": "Stockholm",
    "zipCode": "111 22",
    "stateCode": "AB",
    "countryCode": "SE",
    "fullAddress": "Storgatan 1 B, 111 22 Stockholm",
    "domicile": "Stockholm",
    "municipalCode": "0180",
    "vatNumber": None,
    "companyType": "AB",
    "glnNumber": "7350053850019",
    "naceCode": "62010",
    "homePhone": "08-123 456 78",
    "workPhone": "08-123 456 79",
    "cellularPhone": "070-123 45 67",
    "telefax": "08-123 456 70",
    "email": "kalle@example.se",
    "languageCode": "sv",
    "currencyCode": "SEK",
    "preferredChannel": "EMAIL",
    "underAged": True,
    "invoiceChannel": "E-INVOICE",
    "customerGuid": None,
}
GET_FIELDS = [
    "customerGuid",
    "customerReference",
    "idNumber",
    "juridicalType",
    "placeOfBirth",
    "dateOfBirth",
    "gender",
    "cultureCode",
    "fullName",
    "firstname",
    "middlename",
    "lastname",
    "nameSuffix",
    "contactPerson",
    "domicile",
    "municipalCode",
    "vatNumber",
    "companyType",
    "glnNumber",
    "naceCode",
    "homePhone",
    "workPhone",
    "cellularPhone",
    "telefax",
    "email",
    "languageCode",
    "currencyCode",
    "preferredChannel",
    "underAged",
    "invoiceChannel",
    "regDate",
    "addresses",
    "links",
]
ADDRESS_FIELDS = [
    "typeCode",
    "fullName",
    "careOf",
    "street",
    "houseNo",
    "houseNoExtension",
    "city",
    "stateCode",
    "zipCode",
    "fullAddress",
    "countryCode",
    "defaultAddress",
    "updateExisting",
    "validFrom",
    "validTo",
    "addressNotValid",
    "addressNotValidOverride",
]


@pytest.fixture
def company(client):
    return new_company(client, "SE")


def hdr(company):
    return {"X-Company": company}


def create(client, company, **fields):
    r = client.post(C, json={**CREATE_SAMPLE, **fields}, headers=hdr(company))
    assert r.status_code == 201, r.text
    return r.json()


def test_create_sample_accepted_and_get_answers_with_the_seed_fields(client, company):
    guid = str(uuid.uuid4())
    created = create(client, company, customerGuid=guid)
    got = client.get(f"{C}/{guid}", headers=hdr(company))
    assert got.status_code == 200, got.text
    body = got.json()
    assert set(GET_FIELDS) <= set(body) and body == created
    assert body["customerGuid"] == guid and body["firstname"] == "Kalle" and body["lastname"] == "Svensson"
    assert body["middlename"] == "Anders" and body["juridicalType"] == 0 and body["gender"] == 1
    assert body["dateOfBirth"] == "1981-12-18T00:00:00Z" and body["idNumber"] == "19811218-9876"
    assert set(ADDRESS_FIELDS) <= set(body["addresses"][0]) and body["addresses"][0]["typeCode"] == "LEGAL"
    assert {"type", "name", "href", "resource", "guid"} == set(body["links"][0])
    native = client.get(f"/v1/companies/{company}/customers/{guid}").json()
    assert native["customerType"] == "PERSON" and native["gender"] == "MALE"
    assert native["dateOfBirth"] == "1981-12-18" and native["street"] == "Storgatan"


def test_enums_and_placeholders(client, company):
    c = create(
        client,
        company,
        juridicalType=1,
        gender=0,
        idNumber="556012-5790",
        firstname=None,
        middlename=None,
        lastname=None,
        fullName="Test AB",
        dateOfBirth=None,
        underAged=None,
    )
    assert c["juridicalType"] == 1 and c["gender"] == 0
    native = client.get(f"/v1/companies/{company}/customers/{c['customerGuid']}").json()
    assert native["customerType"] == "COMPANY" and native["gender"] == "UNSPECIFIED"
    for field, value in (
        ("juridicalType", 2),
        ("gender", 3),
        ("gender", "string"),
        ("dateOfBirth", "string"),
        ("glnNumber", "string"),
        ("countryCode", "string"),
        ("preferredChannel", "string"),
        ("parentCustomer", "string"),
    ):
        r = client.post(C, json={**CREATE_SAMPLE, field: value}, headers=hdr(company))
        assert_problem(r, 422, field)
    r = client.post(C, json={"firstname": "x" * 101, "lastname": "A"}, headers=hdr(company))
    assert_problem(r, 422, "firstname")


def test_update_list_filter_orderby(client, company):
    a = create(client, company, firstname="Anna", lastname="Andersson", fullName=None, idNumber=None)
    b = create(client, company, firstname="Bertil", lastname="Berg", fullName=None, idNumber=None, juridicalType=1)
    r = client.put(f"{C}/{a['customerGuid']}", json={"lastname": "Alm", "email": None}, headers=hdr(company))
    assert r.status_code == 200, r.text
    assert r.json()["lastname"] == "Alm" and r.json()["email"] is None and r.json()["firstname"] == "Anna"
    page = client.get(C, params={"$filter": "lastname eq 'Alm'"}, headers=hdr(company)).json()
    assert set(page) == {"count", "skip", "total", "value"} and page["total"] == 1
    assert (
        page["value"][0]["customerGuid"] == a["customerGuid"] and page["value"][0]["fullName"] == "Anna Anders Alm Jr"
    )
    page = client.get(C, params={"$orderby": "fullname desc", "$top": 1}, headers=hdr(company)).json()
    assert page["count"] == 1 and page["total"] == 2 and page["value"][0]["customerGuid"] == b["customerGuid"]
    page = client.get(
        C, params={"$filter": "juridicalType eq 1 and startswith(FIRSTNAME, 'Ber')"}, headers=hdr(company)
    ).json()
    assert [v["customerGuid"] for v in page["value"]] == [b["customerGuid"]]
    r = client.get(C, params={"$filter": "nosuchfield eq 1"}, headers=hdr(company))
    assert_problem(r, 400, "nosuchfield")


def test_addresses_parameters_extra_fields(client, company):
    g = create(client, company)["customerGuid"]
    base = f"{C}/{g}"
    r = client.post(
        f"{base}/addresses",
        headers=hdr(company),
        json={
            "addressType": "DELIVERY",
            "fullName": "Kalle S",
            "street": "Lagervägen",
            "houseNo": "5",
            "houseNoExtension": "A",
            "city": "Farsta",
            "zipCode": "123 45",
            "stateCode": "AB",
            "countryCode": "SE",
            "addressNotValidDate": "2030-01-01T00:00:00Z",
            "defaultAddress": True,
            "validFrom": "2024-08-24T14:15:22Z",
            "validTo": "2029-08-24T14:15:22Z",
        },
    )
    assert r.status_code == 201, r.text
    address = r.json()
    assert address["validFrom"] == "2024-08-24T00:00:00Z" and address["addressType"] == "DELIVERY"
    r = client.put(
        f"{base}/addresses/{address['addressGuid']}",
        json={"addressType": "DELIVERY", "city": "Solna"},
        headers=hdr(company),
    )
    assert r.status_code == 200 and r.json()["city"] == "Solna" and r.json()["street"] is None
    page = client.get(f"{base}/addresses", params={"$filter": "addresstype eq 'DELIVERY'"}, headers=hdr(company))
    assert page.json()["total"] == 1
    r = client.post(f"{base}/addresses", json={"addressType": "DELIVERY", "validFrom": "string"}, headers=hdr(company))
    assert_problem(r, 422, "validFrom")

    r = client.post(
        f"{base}/parameters", json=[{"name": "risk", "type": "STRING", "value": "low"}], headers=hdr(company)
    )
    assert r.status_code == 201, r.text
    assert r.json()[0]["name"] == "risk" and r.json()[0]["href"].endswith("/parameters/risk")
    r = client.put(
        f"{base}/parameters/risk", json={"name": "ignored", "type": "STRING", "value": "high"}, headers=hdr(company)
    )
    assert r.status_code == 200 and r.json()["name"] == "risk" and r.json()["value"] == "high"
    assert client.get(f"{base}/parameters/risk", headers=hdr(company)).json()["value"] == "high"
    assert client.get(f"{base}/parameters", headers=hdr(company)).json()["total"] == 1
    assert client.delete(f"{base}/parameters/risk", headers=hdr(company)).status_code == 204

    r = client.put(f"{base}/extrafields/colors", json={"value": ["red", "blue"]}, headers=hdr(company))
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "colors", "value": ["red", "blue"], "lastUpdatedAt": r.json()["lastUpdatedAt"]}
    r = client.post(f"{base}/extrafields", json={"name": "tags", "value": ["a"]}, headers=hdr(company))
    assert r.status_code == 201
    assert client.get(f"{base}/extrafields", headers=hdr(company)).json()["total"] == 2


def test_mandates_insurances_actions(client, company):
    g = create(client, company)["customerGuid"]
    base = f"{C}/{g}"
    r = client.post(
        f"{base}/directdebitmandates",
        headers=hdr(company),
        json={
            "directDebitMandateType": 1,
            "receivingBankAccountNo": "5050-1055",
            "sendingBankAccountClass": 2,
            "sendingBankAccountNo": "5050-1055",
            "referenceNo": "REF123",
            "requestedAt": "2024-08-24T14:15:22Z",
            "approvedAt": "2024-08-25T14:15:22Z",
            "signedDate": "2024-08-24T14:15:22Z",
            "validfrom": "2024-09-01T00:00:00Z",
            "validuntil": "2026-09-01T00:00:00Z",
        },
    )
    assert r.status_code == 201, r.text
    mandate = r.json()
    assert mandate["validfrom"] == "2024-09-01T00:00:00Z" and mandate["bankAccountNo"] == "5050-1055"
    for f in (
        "mandateGuid",
        "directDebitMandateType",
        "referenceNo",
        "requestedAt",
        "approvedAt",
        "signedDate",
        "validuntil",
        "closedAt",
        "links",
    ):
        assert f in mandate
    got = client.get(f"{base}/directdebitmandates/{mandate['mandateGuid']}", headers=hdr(company))
    assert got.json() == mandate
    r = client.post(
        f"{base}/directdebitmandates",
        headers=hdr(company),
        json={
            "directDebitMandateType": 1,
            "receivingBankAccountNo": "5050-1055",
            "validfrom": "2024-09-01",
            "validuntil": "2020-01-01",
        },
    )
    assert_problem(r, 422, "validuntil")
    page = client.get(f"{base}/directdebitmandates", params={"$orderby": "validfrom desc"}, headers=hdr(company))
    assert page.status_code == 200 and page.json()["total"] == 1

    r = client.post(
        f"{base}/creditinsurances",
        headers=hdr(company),
        json={
            "insuranceCompanyReferenceCode": "ATRADIUS",
            "insuranceCompanyNumber": "A-1",
            "insuranceCompanyCustomerNumber": "C-1",
            "note": "note",
            "endDate": "2026-08-24T14:15:22Z",
            "currencyCode": "SEK",
            "amount": 100000,
            "extraLimitAmount": 5000,
            "extraLimitEndDate": "2025-08-24T14:15:22Z",
            "paymentTerm": 30,
            "graceDays": 5,
        },
    )
    assert r.status_code == 201, r.text
    ins = r.json()
    assert ins["endDate"] == "2026-08-24T00:00:00Z" and ins["amount"] == 100000
    r = client.put(f"{base}/creditinsurances/{ins['insuranceGuid']}", json={"amount": 1}, headers=hdr(company))
    assert r.status_code == 200 and r.json()["amount"] == 1 and r.json()["note"] is None

    native = f"/v1/companies/{company}/customers/{g}/actions"
    action = client.post(
        native, json={"actionItemCode": "CONFIRM", "message": "Confirm address?", "responses": ["YES", "NO"]}
    ).json()
    page = client.get(f"{base}/actions", headers=hdr(company)).json()
    assert page["value"][0]["actionGuid"] == action["actionGuid"] and page["value"][0]["responses"] == ["YES", "NO"]
    r = client.post(
        f"{base}/actions/{action['actionGuid']}/response", json={"response": "YES", "note": "ok"}, headers=hdr(company)
    )
    assert r.status_code == 200, r.text
    assert r.json()["response"] == "YES"


def test_related_customers(client, company):
    main = create(client, company, idNumber=None)["customerGuid"]
    guarantor = create(client, company, idNumber=None, firstname="Gun", lastname="Garant", fullName=None)
    r = client.post(
        f"/v1/companies/{company}/customers/{main}/relations",
        json={"relatedCustomer": guarantor["customerGuid"], "roleCode": "GUARANTOR"},
    )
    assert r.status_code == 201, r.text
    d = client.get(f"{C}/{main}/details", headers=hdr(company)).json()
    assert [x["guarantorGuid"] for x in d["myGuarantors"]] == [guarantor["customerGuid"]]
    assert d["myGuarantors"][0]["juridicalType"] == 0 and d["myGuarantors"][0]["dateOfBirth"].endswith("Z")
    assert d["allRelatedCustomers"][0]["customerRoleCode"] == "GUARANTOR"
    other = client.get(f"{C}/{guarantor['customerGuid']}/details", headers=hdr(company)).json()
    assert [x["customerGuid"] for x in other["guaranteeFor"]] == [main]
    assert (
        client.get(f"{C}/{uuid.uuid4()}", headers=hdr(company))
        .headers["content-type"]
        .startswith("application/problem+json")
    )


def test_update_sample(client, company):
    g = create(client, company)["customerGuid"]
    sample = {
        k: v
        for k, v in CREATE_SAMPLE.items()
        if k
        not in (
            "clientReference",
            "fullName",
            "street",
            "houseNo",
            "houseNoExtension",
            "city",
            "zipCode",
            "stateCode",
            "countryCode",
            "fullAddress",
            "customerGuid",
        )
    }
    sample.update(firstname="Karl", email="karl@example.se", dateOfBirth="1981-12-18T10:00:00Z")
    r = client.put(f"{C}/{g}", json=sample, headers=hdr(company))
    assert r.status_code == 200, r.text
    assert r.json()["firstname"] == "Karl" and r.json()["email"] == "karl@example.se"
    assert r.json()["addresses"][0]["street"] == "Storgatan"  # the main address is not part of an update
    got = client.get(f"{C}/{g}", headers=hdr(company)).json()
    back = {k: v for k, v in got.items() if k not in ("fullName",)}
    r = client.put(f"{C}/{g}", json=back, headers=hdr(company))  # a GET may be sent back
    assert r.status_code == 200, r.text
    assert r.json() == got | {"links": r.json()["links"]}
    assert_problem(client.put(f"{C}/{g}", json={"juridicalType": "string"}, headers=hdr(company)), 422, "juridicalType")
    assert_problem(client.put(f"{C}/{g}", json={"street": "x"}, headers=hdr(company)), 422, "street")
