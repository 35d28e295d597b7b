"""Examples of /openapi.json (issue 22): a request body for every operation that takes one
(by operationId), and the answers of the main operations (by operationId and status).
`document` puts each on its operation's media type, so Swagger UI's "Try it out" and
generated clients start from a body the register accepts; tests/test_openapi_examples.py
validates each against its own schema and sends the native API's creates to a live app.

The examples name company `acme`, its customer `GUID` (number 1) and another customer
`RELATED` (number 2, the relation's other end)."""

from typing import Any

GUID = "3f6c1a52-8d0e-4c1b-9a57-2b6f0d4e7c11"
RELATED = "9b2e4d7a-1c3f-4e8b-a6d5-0f7c2e1b3a49"
AT = "2026-03-02T09:15:00Z"
ADDRESS = {
    "addressType": "DELIVERY",
    "street": "Aleksanterinkatu",
    "houseNo": "52",
    "zipCode": "00100",
    "city": "Helsinki",
    "countryCode": "FI",
}
CUSTOMER = {
    "customerType": "PERSON",
    "firstName": "Aino",
    "lastName": "Virtanen",
    "email": "aino.virtanen@example.fi",
    "cellularPhone": "040 123 4567",
    "street": "Mannerheimintie",
    "houseNo": "1",
    "zipCode": "00100",
    "city": "Helsinki",
    "countryCode": "FI",
    "languageCode": "fi",
}
BANK_ACCOUNT = {"iban": "FI21 1234 5600 0007 85", "defaultAccount": True}
CONTACT = {"name": "Matti Meikäläinen", "title": "CFO", "phone": "+358 40 765 4321", "email": "matti@example.fi"}
PARAMETER = {"name": "CreditScore", "type": "INTEGER", "value": "720"}
EXTRA_FIELD = {"name": "loyaltyTier", "value": ["gold"]}
MANDATE = {
    "directDebitMandateType": 3,
    "receivingBankAccountNo": "FI21 1234 5600 0007 85",
    "sendingBankAccountNo": "DE89 3704 0044 0532 0130 00",
    "referenceNo": "RF18539007547034",
    "signedDate": "2026-01-15",
    "validFrom": "2026-02-01",
}
INSURANCE = {
    "insuranceDate": "2026-01-10",
    "insuranceCompanyName": "Atradius",
    "insuranceCompanyCustomerNumber": "A-778",
    "currencyCode": "EUR",
    "amount": 25000,
    "paymentTerm": 30,
    "graceDays": 14,
}
PLEDGE = {
    "pledgeKind": "GUARANTEE",
    "pledgeType": 1,
    "referenceNumber": "G-1",
    "guaranteeDate": "2026-01-01",
    "guaranteeAmount": 8000.25,
    "description": "Bank guarantee",
}
LOAN = {
    "loanNumber": "L-2026-0042",
    "description": "Car loan",
    "currencyCode": "EUR",
    "originalAmount": 20000,
    "balance": 18500.5,
    "periods": [
        {
            "loanType": "ANNUITY",
            "interestCode": "EURIBOR12",
            "interestMarginCode": "M150",
            "interestRate": 4.125,
            "interestFrom": "2026-01-01",
            "interestTo": "2026-01-31",
            "days": 31,
            "principalAmount": 18500.5,
            "accruedInterest": 65.73,
        }
    ],
}
ACTION = {
    "actionItemCode": "CONFIRM_ADDRESS",
    "message": "Is your address still valid?",
    "processAt": "2026-12-01T08:00:00Z",
    "allowPostpone": False,
    "responses": ["ACCEPT", "REJECT"],
}

REQUESTS: dict[str, Any] = {
    "access_create_client": {"name": "webshop", "companies": ["acme"], "scopes": ["customers:read", "customers:write"]},
    "self_service_post_info": {
        "name": {"firstName": "Aino", "lastName": "Virtanen"},
        "emails": ["aino.virtanen@example.fi"],
        "invoiceEmailAddress": "laskut@example.fi",
    },
    "companies_create": {"cuid": "acme", "name": "Acme Oy", "countryCode": "FI", "businessId": "0112038-9"},
    "register_replace_category": [{"code": "VIP", "name": "Important customers"}],
    "lookups_search_customers": {"lastName": "Virtanen", "streetAddress": "Mannerheimintie", "postalCode": "00100"},
    "lookups_check_credentials": {"credentials": ["aino.virtanen@example.fi", "+358401234567"]},
    "transfer_export_selected_csv": [1, GUID],
    "transfer_export_selected_xml": [1, GUID],
    "customers_create": CUSTOMER,
    "customers_delete_many": [2, RELATED],
    "customers_replace": {**CUSTOMER, "email": "aino@example.fi"},
    "customers_patch": {"email": "aino@example.fi", "cellularPhone": None},
    "addresses_create": ADDRESS,
    "addresses_replace": {**ADDRESS, "houseNo": "54"},
    "bank_accounts_create": BANK_ACCOUNT,
    "bank_accounts_replace": {"iban": "DE89 3704 0044 0532 0130 00", "defaultAccount": True},
    "contacts_create": CONTACT,
    "contacts_replace": {**CONTACT, "title": "CEO"},
    "consents_create": {"channel": "EMAIL", "granted": True, "source": "webshop signup", "grantedAt": AT},
    "consents_replace": {"granted": False, "source": "unsubscribe link"},
    "parameters_create": PARAMETER,
    "parameters_replace": {"type": "INTEGER", "value": "740"},
    "extra_fields_create": EXTRA_FIELD,
    "extra_fields_replace": {"value": ["platinum"]},
    "direct_debit_mandates_create": MANDATE,
    "direct_debit_mandates_replace": {**MANDATE, "referenceNo": None},
    "direct_debit_mandates_close": {"closedAt": AT},
    "credit_insurances_create": INSURANCE,
    "credit_insurances_replace": {**INSURANCE, "amount": 30000},
    "relations_create": {"relatedCustomer": RELATED, "roleCode": "GUARANTOR"},
    "relations_replace": {"relatedCustomer": RELATED, "roleCode": "GUARANTOR"},
    "pledges_create": PLEDGE,
    "pledges_replace": {**PLEDGE, "guaranteeAmount": 6000},
    "loans_create": LOAN,
    "loans_replace": {**LOAN, "balance": 18000},
    "actions_create": ACTION,
    "actions_replace": {**ACTION, "allowPostpone": True},
    "actions_respond": {"response": "ACCEPT", "note": "Yes, still valid"},
    "external_ids_create": {"externalSystemId": 6, "externalSystemIdentifier": "wc-1001"},
    "external_ids_replace": {"externalSystemId": 6, "externalSystemIdentifier": "wc-1002"},
    # The compatibility APIs, in their own field names.
    "fivaldi_create_customer": CUSTOMER,
    "fivaldi_update_all_fields": {**CUSTOMER, "email": "aino@example.fi"},
    "fivaldi_update_customer": {"email": "aino@example.fi"},
    "fivaldi_create_address": ADDRESS,
    "fivaldi_update_address": {**ADDRESS, "houseNo": "54"},
    "fivaldi_create_bank_account": BANK_ACCOUNT,
    "fivaldi_update_bank_account": {"iban": "DE89 3704 0044 0532 0130 00", "defaultAccount": True},
    "tehden_create_customer": {**CUSTOMER, "addresses": [ADDRESS]},
    "tehden_update_customer": {"identifier": "wc-1001", "email": "aino@example.fi"},
    "tehden_create_contact": CONTACT,
    "billmate_create_customer": {
        "name": "Aino Virtanen",
        "address": "Mannerheimintie 1",
        "postcode": "00100",
        "postoffice": "Helsinki",
        "countrycode": "FI",
        "email": "aino.virtanen@example.fi",
    },
    "billmate_delete_customers": [17],
    "billmate_export_selected_xml": [1, 2],
    "billmate_export_selected_csv": [1, 2],
    "billmate_patch_customer": {"email": "aino@example.fi"},
    "clvr_create_customer": {
        "firstname": "Aino",
        "lastname": "Virtanen",
        "street": "Mannerheimintie",
        "houseNo": "1",
        "zipCode": "00100",
        "city": "Helsinki",
        "countryCode": "FI",
        "email": "aino.virtanen@example.fi",
    },
    "clvr_update_customer": {"firstname": "Aino", "lastname": "Virtanen", "email": "aino@example.fi"},
    "clvr_patch_customer": {"email": "aino@example.fi"},
    "clvr_create_addresses": ADDRESS,
    "clvr_put_addresses": {**ADDRESS, "houseNo": "54"},
    "clvr_create_parameters": PARAMETER,
    "clvr_put_parameters": {"type": "INTEGER", "value": "740"},
    "clvr_create_extrafields": {"name": "loyaltyTier", "value": "gold"},
    "clvr_put_extrafields": {"value": "platinum"},
    "clvr_create_directdebitmandates": {"directDebitMandateType": 3, "receivingBankAccountNo": "FI2112345600000785"},
    "clvr_create_creditinsurances": INSURANCE,
    "clvr_put_creditinsurances": {**INSURANCE, "amount": 30000},
    "clvr_action_response": {"response": "ACCEPT"},
    # The seed's own sample body of the invoke operations (any JSON goes to the service).
    "clvr_invoke_for_customer": {"name1": "string", "name2": False, "name3": {"name4": ["string", "string"]}},
    "clvr_invoke": {"name1": "string", "name2": False},
    "services_create": {"name": "credit-score", "url": "https://services.example.fi/score", "description": "Score"},
    "services_patch": {"url": "https://services.example.fi/score/v2"},
    "services_invoke": {"amount": 5000},
    "connect_post_info": {"name": {"firstName": "Aino", "lastName": "Virtanen"}, "emails": ["aino@example.fi"]},
    "connect_search": {"lastName": "Virtanen", "streetAddress": "Mannerheimintie", "postalCode": "00100"},
    "connect_check": {"credentials": ["aino.virtanen@example.fi", "+358401234567"]},
    "access_change_client": {"scopes": ["customers:read"]},
    "register_patch_settings": {"uniqueIdentityNumbers": True, "financialRetentionYears": 7},
    "duplicates_merge_customers": {"from": ["1043"], "fields": {"email": "1043"}, "ifMatch": {"1043": '"2"'}},
    "privacy_erase_customer": {"reason": "The person asked for erasure (GDPR article 17)"},
    "webhooks_create": {
        "url": "https://hooks.example.com/custreg",
        "events": ["customer.*"],
        "description": "CRM sync",
        "includeObject": False,
    },
    "webhooks_patch": {"enabled": False},
    "webhooks_rotate_secret": {"overlapSeconds": 86400},
    "webhooks_replay_events": {"since": AT},
}

LINKS = [
    {"rel": "self", "href": f"/v1/companies/acme/customers/{GUID}"},
    {"rel": "addresses", "href": f"/v1/companies/acme/customers/{GUID}/addresses"},
]
DETAIL = {
    **{k: v for k, v in CUSTOMER.items() if k != "cellularPhone"},
    "cellularPhone": "+358401234567",
    "fullName": "Aino Virtanen",
    "excluded": False,
    "customerGuid": GUID,
    "customerNumber": 1,
    "regDate": "2026-03-02",
    "lastUpdatedAt": AT,
    "version": 1,
    "links": LINKS,
    "addresses": [],
    "bankAccounts": [],
    "contacts": [],
}
SUMMARY = {  # a list item: the customer's summary (docs/api.md)
    "customerType": "PERSON",
    "fullName": "Aino Virtanen",
    "firstName": "Aino",
    "middleName": None,
    "lastName": "Virtanen",
    "companyName": None,
    "vatNumber": None,
    "idNumber": None,
    "city": "Helsinki",
    "zipCode": "00100",
    "countryCode": "FI",
    "homePhone": None,
    "workPhone": None,
    "cellularPhone": "+358401234567",
    "email": "aino.virtanen@example.fi",
    "status": None,
    "excluded": False,
    "customerGuid": GUID,
    "customerNumber": 1,
    "lastUpdatedAt": AT,
    "version": 1,
    "links": LINKS[:1],
}
RESPONSES: dict[tuple[str, str], Any] = {
    ("companies_create", "201"): {**REQUESTS["companies_create"], "createdAt": AT},
    ("customers_create", "201"): DETAIL,
    ("customers_get", "200"): DETAIL,
    ("customers_patch", "200"): {**DETAIL, "email": "aino@example.fi", "cellularPhone": None, "version": 2},
    ("customers_list", "200"): {"count": 1, "skip": 0, "total": 1, "value": [SUMMARY]},
    ("changes_list", "200"): {
        "changes": [{"cursor": "41", "customerGuid": GUID, "customerNumber": 1, "op": "upsert", "at": AT}],
        "nextCursor": "41",
    },
}


def document(spec: dict[str, Any]) -> None:
    """Put `REQUESTS` on each operation's JSON request body and `RESPONSES` on its answers."""
    for item in spec.get("paths", {}).values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and op["operationId"] in REQUESTS:
                body["example"] = REQUESTS[op["operationId"]]
            for status, response in op.get("responses", {}).items():
                answer = response.get("content", {}).get("application/json")
                if answer is not None and (op["operationId"], status) in RESPONSES:
                    answer["example"] = RESPONSES[(op["operationId"], status)]
