"""Turning stored customers into API shapes (inside the transaction)."""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import orjson

from custreg.addresses.models import Address
from custreg.addresses.schemas import AddressRead
from custreg.customers.models import Customer
from custreg.customers.schemas import MAIN_ADDRESS_FIELDS, CustomerDetail, CustomerRead
from custreg.customers.shape import CUSTOMER_FIELDS, main_address
from custreg.db.columns import snake
from custreg.errors import BadRequest, listed
from custreg.limits import MAX_SELECT_FIELDS, too_complex

ADDRESS_FIELDS = tuple(AddressRead.model_fields)


def href(cuid: str, customer: Customer, tail: str = "") -> str:
    return f"/v1/companies/{cuid}/customers/{customer.customer_guid}{tail}"


SUB_RESOURCES = ["addresses"]


def links(own: str) -> list[dict[str, str]]:
    """A customer's links, from its own href."""
    return [{"rel": "self", "href": own}] + [{"rel": name, "href": f"{own}/{name}"} for name in SUB_RESOURCES]


def row(customer: Customer, address: Address | None, cuid: str) -> dict[str, Any]:
    out = {f: getattr(customer, snake(f)) for f in CUSTOMER_FIELDS}
    out.update({f: getattr(address, snake(f)) if address else None for f in MAIN_ADDRESS_FIELDS})
    out.update(
        customerGuid=customer.customer_guid,
        customerNumber=customer.customer_number,
        regDate=customer.reg_date,
        lastUpdatedAt=customer.last_updated_at,
        version=customer.version,
        links=links(href(cuid, customer)),
    )
    return out


def address_dict(a: Address) -> dict[str, Any]:
    return {f: getattr(a, snake(f)) for f in ADDRESS_FIELDS}


# Each domain adds the part of the full customer it owns: fn(customer, cuid) -> dict.
DETAIL_PARTS: list[Callable[[Customer, str], dict[str, Any]]] = [
    lambda c, cuid: {"addresses": [address_dict(a) for a in c.addresses]}
]


def summary(customer: Customer, address: Address | None, cuid: str) -> CustomerRead:
    return CustomerRead.model_validate(row(customer, address, cuid))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):  # rebate, creditLimit: numbers (schemas.Number)
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def page_json(
    rows,
    fields: tuple[str, ...],
    cuid: str,
    *,
    skip: int,
    total: int,
    next_link: str | None = None,
    select: tuple[str, ...] | None = None,
) -> bytes:
    """The `{count, skip, total, value, nextLink}` page of rows of `shape.columns(fields)` as
    JSON, exactly as `Page[CustomerSummary]` renders it (tests/test_odata_options.py compares),
    but without building and re-validating 25 models (≈ 1.3 ms of a request's CPU).
    Safe because only validated values are ever stored. An item is the row's `fields`, in
    their order; `select`: only those of them (`$select`'s), in its order."""
    base = f"/v1/companies/{cuid}/customers/"
    value = []
    for r in rows:
        item = dict(zip(fields, r))  # a row by id carries the id last: zip stops before it
        if select is not None:
            item = {f: item[f] for f in select if f in item}
        item["links"] = [{"rel": "self", "href": f"{base}{item['customerGuid']}"}]  # its GET: the others
        value.append(item)
    page: dict[str, Any] = {"count": len(value), "skip": skip, "total": total, "value": value}
    if next_link is not None:  # absent on the last page, as paging.Page renders it
        page["nextLink"] = next_link
    return orjson.dumps(page, default=_json_default, option=orjson.OPT_UTC_Z)


# `$select` always keeps what identifies a customer and addresses it.
IDENTIFIERS = ("customerGuid", "customerNumber", "version", "links")


def selection(text: str | None, fields: Iterable[str]) -> tuple[str, ...] | None:
    """The fields `$select=a,b` keeps, in the model's order (`fields`), identifiers included;
    None without `$select`. An unknown name is a 400 naming `$select`."""
    if text is None:
        return None
    if text.count(",") >= MAX_SELECT_FIELDS:
        raise too_complex("$select", MAX_SELECT_FIELDS, "fields")
    names = [n.strip() for n in text.split(",")]
    order = tuple(fields)
    unknown = [n for n in names if n not in order]
    if unknown:
        msg = f"unknown field {listed(repr(n) for n in unknown)}"
        raise BadRequest(f"$select: {msg}", [{"field": "$select", "message": msg}])
    keep = set(names) | set(IDENTIFIERS)
    return tuple(f for f in order if f in keep)


def selected(document: bytes | str, select: tuple[str, ...]) -> str:
    """A rendered customer (the stored document or a live one) cut to `select`."""
    data = orjson.loads(document)
    return orjson.dumps({f: data[f] for f in select if f in data}).decode()


def detail(customer: Customer, cuid: str) -> CustomerDetail:
    """The whole customer, every domain's part included (what GET and the stored document show)."""
    data = row(customer, main_address(customer), cuid)
    for part in DETAIL_PARTS:
        data.update(part(customer, cuid))
    return CustomerDetail.model_validate(data)


def merged_from(body: str, key: str) -> str:
    """The survivor's body answering for a merged customer: `mergedFrom` names the one asked for."""
    data = orjson.loads(body)
    data["mergedFrom"] = key
    return orjson.dumps(data).decode()
