"""External ids inside customer writes: Tehden's inline pair and the nested list.
Registered by custreg.bootstrap."""

from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.customers.models import Customer
from custreg.external_ids import service
from custreg.external_ids.schemas import pair


def _pair(v: dict[str, Any]) -> tuple[int, str] | None:
    return pair(v.get("externalSystemId"), v.get("externalSystemIdentifier"))


def on_apply(session, company, customer: Customer, v: dict[str, Any]) -> None:
    pair = _pair(v)
    if pair is not None and customer.id is not None:  # a create's pair: customers.writer.create
        service.set_for_system(session, company, customer, *pair)


def on_created(session, company, created, v: dict[str, Any]) -> None:
    """The nested `externalIds` of a create (the inline pair is written with the customer)."""
    if not v.get("externalIds"):
        return
    customer = session.get(Customer, created.id)
    for i, item in enumerate(v.get("externalIds") or []):
        item = item if isinstance(item, dict) else item.model_dump()
        service.set_for_system(
            session,
            company,
            customer,
            item["externalSystemId"],
            item["externalSystemIdentifier"],
            field=f"externalIds[{i}].externalSystemIdentifier",
        )


def detail(customer: Customer, cuid: str) -> dict[str, Any]:
    ids = sorted(customer.external_ids, key=lambda e: e.id)
    return {
        "externalIds": [
            {
                "externalIdGuid": e.external_id_guid,
                "externalSystemId": e.external_system_id,
                "externalSystemIdentifier": e.external_system_identifier,
            }
            for e in ids
        ],
        "externalSystemId": ids[0].external_system_id if ids else None,
        "externalSystemIdentifier": ids[0].external_system_identifier if ids else None,
    }


def load_external_ids() -> LoaderOption:
    return selectinload(Customer.external_ids)
