"""Stable, readable operationIds for /openapi.json: `<domain>_<action>` (`customers_create`,
`addresses_list`, `fivaldi_create_customer`), so client generators name their methods
after them. The app passes `operation_id` as FastAPI's `generate_unique_id_function`."""

import re

from fastapi.routing import APIRoute

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
