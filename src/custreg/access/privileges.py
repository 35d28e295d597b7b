"""Who administers what (docs/access.md, "Privilege model"): the platform (companies,
every API client) and the administrators of a company (the clients of their own
companies, with no more than they hold themselves)."""

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from custreg.access import clients, scopes
from custreg.access.auth import Principal
from custreg.access.models import ApiClient
from custreg.errors import Forbidden, NotFound, listed


def is_platform(principal: Principal) -> bool:
    """The bootstrap admin token, or a client granted `platform:admin`."""
    return scopes.PLATFORM in principal.scopes


def administers(principal: Principal, client: ApiClient) -> bool:
    """`principal` may see and manage `client`: the platform any, a company administrator
    those granted only companies of its own (at least one) and only scopes it holds."""
    if is_platform(principal):
        return True
    cuids = set(client.companies)
    return (
        bool(cuids)
        and principal.companies is not None
        and cuids <= principal.companies
        and set(client.scopes) <= principal.scopes
    )


def check_grant(principal: Principal, companies: list[str], granted: list[str]) -> None:
    """403 naming the field unless `principal` may grant `companies` and `granted` scopes:
    a company administrator grants only companies and scopes it holds itself."""
    if is_platform(principal):
        return
    errors = []
    if not companies:
        errors.append({"field": "companies", "message": "a company administrator grants at least one of its companies"})
    outside = [c for c in companies if not principal.allows_company(c)]
    if outside:
        errors.append({"field": "companies", "message": f"not granted to this credential: {listed(outside)}"})
    # Unknown scope names are the service's 422; here only known ones wider than ours.
    wider = [s for s in granted if s in scopes.CLIENT_SCOPES and s not in principal.scopes]
    if wider:
        errors.append({"field": "scopes", "message": f"wider than this credential's own: {listed(wider)}"})
    if errors:
        raise Forbidden("A company administrator grants only its own companies and scopes", errors)


def administered(session: Session, principal: Principal, client_id: str) -> ApiClient:
    """The client, if `principal` administers it; 404 otherwise (nothing is learnt of
    other companies' clients)."""
    client = clients.get(session, client_id)
    if not administers(principal, client):
        raise NotFound(f"No API client {client_id!r}")
    return client


def visible(principal: Principal) -> Callable[[Any], bool] | None:
    """The filter of `clients.list_page` for what `principal` may see: None for the platform."""
    return None if is_platform(principal) else functools.partial(administers, principal)
