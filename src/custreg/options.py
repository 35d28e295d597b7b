"""OData system query options (`$...`): one an operation does not declare is a 400 naming
it, never silently ignored (`$search=virtanen` used to list everyone)."""

from fastapi import Request
from fastapi.dependencies.models import Dependant

from custreg.errors import BadRequest, listed


def declared(dependant: Dependant) -> set[str]:
    """The `$` query parameters an operation reads, its dependencies' included."""
    names = {p.alias for p in dependant.query_params if p.alias.startswith("$")}
    for sub in dependant.dependencies:
        names |= declared(sub)
    return names


def reject_unknown(request: Request) -> None:
    """400 for each `$` option the matched route does not take. Called by every request
    context (`access.context`), after authentication; the compatibility APIs (`/compat/`)
    keep their originals' manners."""
    if not any(k.startswith("$") for k in request.query_params):
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or getattr(route, "path", "").startswith("/compat/"):
        return
    known = declared(dependant)
    unknown = sorted({k for k in request.query_params if k.startswith("$") and k not in known})
    if unknown:
        errors = [{"field": k, "message": "query option not supported by this operation"} for k in unknown]
        raise BadRequest(f"Unsupported query option {listed(unknown)}", errors)
