"""The Fivaldi register operations over the native services, through the one write path
(customers/service.py and records.py call `writer.changed`/`writer.flush`)."""

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from custreg.addresses.schemas import AddressFields
from custreg.addresses.service import ADDRESSES
from custreg.bank_accounts.schemas import BankAccountFields
from custreg.bank_accounts.service import BANK_ACCOUNTS
from custreg.compat.common import seed_names, validate
from custreg.compat.fivaldi import dto
from custreg.compat.fivaldi import mapping as m
from custreg.customers import read
from custreg.customers import routes as customer_routes
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.errors import NotFound
from custreg.parameters.models import PartyParameter
from custreg.parameters.service import PARAMETERS
from custreg.records import create as create_record
from custreg.records import read as read_record
from custreg.records import replace as replace_record

Extras = dict[str, Any]  # {"customer": {...}, "addresses": {id: {...}}, "bankAccounts": {id: {...}}}


# --- the extras document --------------------------------------------------------------


def _parameter(c: Customer) -> PartyParameter | None:
    return next((p for p in c.parameters if p.name == m.PARAMETER), None)


def extras(c: Customer) -> Extras:
    p = _parameter(c)
    try:
        data = json.loads(p.value) if p is not None and p.value else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def extras_of_many(session: Session, ids: list[int]) -> dict[int, Extras]:
    """The extras of several customers in one statement (the list)."""
    if not ids:
        return {}
    rows = session.execute(
        select(PartyParameter.customer_id, PartyParameter.value).where(
            PartyParameter.customer_id.in_(ids), PartyParameter.name == m.PARAMETER
        )
    )
    out: dict[int, Extras] = {}
    for cid, value in rows:
        try:
            out[cid] = json.loads(value or "{}")
        except ValueError:
            out[cid] = {}
    return out


def _save(ctx, c: Customer, data: Extras) -> None:
    """Store the extras, when they changed (a write that changes nothing writes nothing)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    p = _parameter(c)
    if p is None:
        create_record(
            ctx.session,
            ctx.company,
            PARAMETERS,
            c,
            {"name": m.PARAMETER, "type": "JSON", "value": text},
            actor=ctx.actor,
        )
    elif p.value != text:
        replace_record(
            ctx.session,
            ctx.company,
            PARAMETERS,
            c,
            p,
            {"name": m.PARAMETER, "type": "JSON", "value": text},
            actor=ctx.actor,
        )


# --- reading ------------------------------------------------------------------------------


def address_dto(record: Any, kept: dict[str, Any]) -> dict[str, Any]:
    derived = m.address_from_native(record.id, read_record(ADDRESSES, record).model_dump(mode="json"))
    return m.render(dto.ADDRESS, derived, kept)


def bank_dto(record: Any, kept: dict[str, Any]) -> dict[str, Any]:
    derived = m.bank_from_native(record.id, read_record(BANK_ACCOUNTS, record).model_dump(mode="json"))
    return m.render(dto.BANK_ACCOUNT, derived, kept)


def customer_dto(c: Customer, cuid: str, data: Extras | None = None) -> dict[str, Any]:
    """CustomerEntityDetailsDTO of a customer, its addresses and bank accounts included
    (`data`: its extras when just written)."""
    data = extras(c) if data is None else data
    native = read.detail(c, cuid).model_dump(mode="json")
    out = m.render(dto.CUSTOMER, m.customer_from_native(native), data.get("customer") or {})
    addresses, banks = data.get("addresses") or {}, data.get("bankAccounts") or {}
    out["customerEntityAddressDTOS"] = [address_dto(a, addresses.get(str(a.id)) or {}) for a in c.addresses]
    out["customerEntityBankAccountDTOS"] = [bank_dto(b, banks.get(str(b.id)) or {}) for b in c.bank_accounts]
    return out


def list_item(c: Customer, address: Any, cuid: str, kept: Extras) -> dict[str, Any]:
    native = read.summary(c, address, cuid).model_dump(mode="json")
    return m.render(dto.LIST_ITEM, m.customer_from_native(native), kept.get("customer") or {})


# --- writing ------------------------------------------------------------------------------


def _customer_extras(c: Customer, cuid: str, sent: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    derived = m.customer_from_native(read.detail(c, cuid).model_dump(mode="json"))
    echo = {k: v for k, v in (kept.get("echo") or {}).items() if k not in sent}
    echo.update(m.remember(sent, derived, m.CUSTOMER_MAPPED))
    out = {k: v for k, v in kept.items() if k != "echo"} | m.extras_of(sent, m.CUSTOMER_MAPPED)
    return out | ({"echo": echo} if echo else {})


def _record_extras(sent: dict[str, Any], derived: dict[str, Any], mapped: frozenset[str]) -> dict[str, Any]:
    echo = m.remember(sent, derived, mapped)
    return m.extras_of(sent, mapped) | ({"echo": echo} if echo else {})


def _add_address(ctx, c: Customer, values: dict[str, Any], data: Extras) -> Any:
    with seed_names(m.ADDRESS_NAMES):
        body = validate(AddressFields, m.address_to_native(values), m.ADDRESS_NAMES).model_dump()
        record = create_record(ctx.session, ctx.company, ADDRESSES, c, body, actor=ctx.actor)
    derived = m.address_from_native(record.id, read_record(ADDRESSES, record).model_dump(mode="json"))
    data.setdefault("addresses", {})[str(record.id)] = _record_extras(values, derived, m.ADDRESS_MAPPED)
    return record


def _add_bank_account(ctx, c: Customer, values: dict[str, Any], data: Extras) -> Any:
    with seed_names(m.BANK_NAMES):
        body = validate(BankAccountFields, m.bank_to_native(values), m.BANK_NAMES).model_dump()
        record = create_record(ctx.session, ctx.company, BANK_ACCOUNTS, c, body, actor=ctx.actor)
    derived = m.bank_from_native(record.id, read_record(BANK_ACCOUNTS, record).model_dump(mode="json"))
    data.setdefault("bankAccounts", {})[str(record.id)] = _record_extras(values, derived, m.BANK_MAPPED)
    return record


def get(ctx, key: str, *, for_update: bool = False) -> Customer:
    if not key.isdigit():  # Fivaldi's customerId is the customer number
        raise NotFound(f"Customer {key!r} not found")
    return customers.get(ctx.session, ctx.company, key, for_update=for_update)


def create(ctx, body: Any) -> dict[str, Any]:
    """createCustomer: the next customer number; addresses and bank accounts written too."""
    values, addresses, banks = dto.parse_customer(body)
    native = m.customer_to_native(values, person=False)
    native.setdefault("customerType", "COMPANY")
    with seed_names(m.CUSTOMER_NAMES):
        model = validate(CustomerCreate, native, m.CUSTOMER_NAMES)
        created = customer_routes.create_detail(ctx.cuid, model, ctx)
    c = customers.get(ctx.session, ctx.company, str(created.customerGuid), for_update=True)
    data: Extras = {"customer": _customer_extras(c, ctx.cuid, values, {})}
    for i, a in enumerate(addresses):
        with seed_names({k: f"customerEntityAddressDTOS[{i}].{v}" for k, v in m.ADDRESS_NAMES.items()}):
            _add_address(ctx, c, a, data)
    for i, b in enumerate(banks):
        with seed_names({k: f"customerEntityBankAccountDTOS[{i}].{v}" for k, v in m.BANK_NAMES.items()}):
            _add_bank_account(ctx, c, b, data)
    _save(ctx, c, data)
    ctx.session.expire(c, ["addresses", "bank_accounts"])  # reloaded with the new records
    return customer_dto(c, ctx.cuid, data)


def update(ctx, c: Customer, body: Any, *, all_fields: bool) -> dict[str, Any]:
    """updateCustomerAllFields (every Fivaldi field; a missing one is cleared, what Fivaldi's
    DTO does not have is kept) or updateCustomer (the fields given; null ones ignored).
    Addresses and bank accounts in the body are not touched."""
    values, _, _ = dto.parse_customer(body)
    if all_fields:
        writable = {k: s for k, s in dto.CUSTOMER.items() if not s.server and s.kind != "array"}
        values = {k: m.default(s) if values.get(k) is None else values[k] for k, s in writable.items()}
    else:
        values = {k: v for k, v in values.items() if v is not None}
    person = c.customer_type == "PERSON"
    changes = m.customer_to_native(values, person=person)
    with seed_names(m.CUSTOMER_NAMES):
        patch = validate(CustomerPatch, changes, m.CUSTOMER_NAMES).model_dump(exclude_unset=True)
        customers.patch(ctx.session, ctx.company, c, patch)
    data = extras(c)
    kept = {} if all_fields else data.get("customer") or {}
    data["customer"] = _customer_extras(c, ctx.cuid, values, kept)
    _save(ctx, c, data)
    return customer_dto(c, ctx.cuid, data)


def add_address(ctx, c: Customer, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.ADDRESS)
    data = extras(c)
    record = _add_address(ctx, c, values, data)
    _save(ctx, c, data)
    return address_dto(record, data["addresses"][str(record.id)])


def _record(records: list[Any], key: str, title: str) -> Any:
    found = next((r for r in records if str(r.id) == key), None)
    if found is None:
        raise NotFound(f"No {title} {key!r}")
    return found


def replace_address(ctx, c: Customer, key: str, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.ADDRESS)
    record = _record(c.addresses, key, "address")
    with seed_names(m.ADDRESS_NAMES):
        native = validate(AddressFields, m.address_to_native(values), m.ADDRESS_NAMES).model_dump(exclude_unset=True)
        replace_record(ctx.session, ctx.company, ADDRESSES, c, record, native, actor=ctx.actor)
    derived = m.address_from_native(record.id, read_record(ADDRESSES, record).model_dump(mode="json"))
    data = extras(c)
    data.setdefault("addresses", {})[str(record.id)] = kept = _record_extras(values, derived, m.ADDRESS_MAPPED)
    _save(ctx, c, data)
    return address_dto(record, kept)


def add_bank_account(ctx, c: Customer, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.BANK_ACCOUNT)
    data = extras(c)
    record = _add_bank_account(ctx, c, values, data)
    _save(ctx, c, data)
    return bank_dto(record, data["bankAccounts"][str(record.id)])


def replace_bank_account(ctx, c: Customer, key: str, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.BANK_ACCOUNT)
    record = _record(c.bank_accounts, key, "bank account")
    with seed_names(m.BANK_NAMES):
        native = validate(BankAccountFields, m.bank_to_native(values), m.BANK_NAMES).model_dump(exclude_unset=True)
        replace_record(ctx.session, ctx.company, BANK_ACCOUNTS, c, record, native, actor=ctx.actor)
    derived = m.bank_from_native(record.id, read_record(BANK_ACCOUNTS, record).model_dump(mode="json"))
    data = extras(c)
    data.setdefault("bankAccounts", {})[str(record.id)] = kept = _record_extras(values, derived, m.BANK_MAPPED)
    _save(ctx, c, data)
    return bank_dto(record, kept)
