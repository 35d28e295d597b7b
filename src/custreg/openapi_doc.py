"""What /openapi.json says beyond the routes (issue 22): one tag per domain and per
compatibility API, described and in reading order (`TAGS`, the app's `openapi_tags`), and
stable, readable operationIds `<domain>_<action>` (`customers_create`, `addresses_list`,
`fivaldi_create_customer`) that client generators name their methods after
(`operation_id`, the app's `generate_unique_id_function`)."""

import re

from fastapi.routing import APIRoute

_RECORD = "A record of the customer, under /customers/{customer}/"
TAGS: list[dict[str, str]] = [
    {"name": "companies", "description": "The companies (tenants); every other path is under one of them."},
    {"name": "customers", "description": "Persons and organisations: list, create, read, replace, patch, delete."},
    {"name": "addresses", "description": f"{_RECORD}addresses."},
    {"name": "bank-accounts", "description": f"{_RECORD}bank-accounts (IBAN, BBAN, BIC)."},
    {"name": "contacts", "description": f"{_RECORD}contacts."},
    {"name": "consents", "description": f"{_RECORD}consents: one per channel, with its history."},
    {"name": "parameters", "description": f"{_RECORD}parameters: keyed by name."},
    {"name": "extra-fields", "description": f"{_RECORD}extra-fields: keyed by name."},
    {"name": "direct-debit-mandates", "description": f"{_RECORD}direct-debit-mandates."},
    {"name": "credit-insurances", "description": f"{_RECORD}credit-insurances."},
    {"name": "relations", "description": f"{_RECORD}relations to other customers."},
    {"name": "pledges", "description": f"{_RECORD}pledges."},
    {"name": "actions", "description": f"{_RECORD}actions: questions to the customer and their answers."},
    {"name": "external-ids", "description": f"{_RECORD}external-ids: the customer's ids in other systems."},
    {"name": "duplicates", "description": "Find duplicate customers and merge them (docs/duplicates.md)."},
    {"name": "privacy", "description": "Erasure and the subject access export of a person (docs/privacy.md)."},
    {"name": "lookups and search", "description": "Find customers by id, organisation number or credentials."},
    {"name": "sync", "description": "The change feed: every create, update and delete in commit order."},
    {"name": "export and import", "description": "CSV and XML export, CSV import (docs/export.md)."},
    {"name": "register configuration", "description": "The company's code lists (customer groups, ...)."},
    {"name": "access", "description": "API clients and their OAuth 2 client-credentials tokens."},
    {"name": "self-service", "description": "The signed-in end user's own customer info."},
    {"name": "compat: Fivaldi (seed 000)", "description": "The Fivaldi customer API (/compat/fivaldi)."},
    {"name": "compat: Tehden (seed 001)", "description": "The Tehden customer API (/compat/tehden)."},
    {"name": "compat: Aptic CLVR (seed 002)", "description": "The Aptic CLVR customer API (/compat/clvr)."},
    {"name": "compat: Billmate (seed 003)", "description": "The Billmate customer API (/compat/billmate)."},
    {"name": "compat: Connect (seed 004)", "description": "The Connect customer API (/compat/connect)."},
    {"name": "operations", "description": "Metrics and the pages of the problem types."},
    {"name": "health", "description": "Liveness, for load balancers."},
]

# Tags that are not the domain's name; every other tag is its domain (dashes as `_`).
DOMAINS = {
    "register configuration": "register",
    "lookups and search": "lookups",
    "export and import": "transfer",
    "sync": "changes",
}
GENERIC = frozenset({"record", "records"})  # records.make_router's endpoints: list_records, ...
COMPAT = re.compile(r"^/compat/([a-z]+)/")


def operation_id(route: APIRoute) -> str:
    """`<domain>_<action>`: the domain from the route's tag (a compatibility API's from its
    path), the action from the endpoint's name without the domain's own words."""
    method = sorted(route.methods or {"GET"})[0].lower()
    compat = COMPAT.match(route.path)
    if compat:
        api = compat.group(1)
        return f"{api}_{_snake(route.name).removeprefix(api + '_')}"
    domain = _domain(route)
    own = _forms(domain) | GENERIC
    action = [word for word in _snake(route.name).split("_") if word not in own]
    return "_".join([domain, *(action or [method])])


def _domain(route: APIRoute) -> str:
    if route.tags:
        tag = str(route.tags[0])
        return DOMAINS.get(tag, _snake(tag))
    return _snake(route.path.strip("/").split("/")[0]) or "root"


def _forms(domain: str) -> set[str]:
    """The domain's words with their singulars: bank_accounts → bank, accounts, account."""
    words = set(domain.split("_"))
    for word in list(words):
        if word.endswith("ies"):
            words.add(word[:-3] + "y")
        elif word.endswith(("sses", "shes", "ches")):
            words.add(word[:-2])
        elif word.endswith("s"):
            words.add(word[:-1])
    return words


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
