"""The Fivaldi register operations over the native services, through the one write path
(customers/service.py and records.py call `writer.changed`/`writer.flush`)."""

import json
from typing import Any

from sqlalchemy import func, select
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
from custreg.customers import writer as customer_writer
from custreg.customers.models import AuditEntry, Customer
from custreg.customers.schemas import CustomerCreate, CustomerPatch
from custreg.customers.shape import main_address
from custreg.errors import NotFound
from custreg.parameters.models import PartyParameter
from custreg.parameters.service import PARAMETERS
from custreg.records import create as create_record
from custreg.records import read as read_record
from custreg.records import replace as replace_record

# {"customer": {...}, "addresses": {id: {...}}, "bankAccounts": {id: {...}}, "mainAddress": id}
Extras = dict[str, Any]


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


def change_users(session: Session, c: Customer) -> dict[str, str]:
    """Who made the last change, from the audit trail: `customer` → the actor of the
    customer's latest entry (its own fields or any record's: what moves `changeTime`), and
    each record's resource (`addresses/<guid>`, `bank_accounts/<guid>`) → its latest one's."""
    where = (AuditEntry.company_id == c.company_id, AuditEntry.customer_guid == c.customer_guid)
    latest = select(func.max(AuditEntry.id).label("id")).where(*where).group_by(AuditEntry.resource).subquery()
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.resource, AuditEntry.actor_id)
        .join(latest, AuditEntry.id == latest.c.id)
        .order_by(AuditEntry.id)
    ).all()
    out = {resource: actor for _, resource, actor in rows}
    if rows:
        out["customer"] = rows[-1][2]
    return out


def main_address_id(c: Customer, data: Extras) -> int | None:
    """Fivaldi's one main address across all types: the address a Fivaldi client last made
    main (`isMainAddress: true`), while it is still the default of its type; else the
    register's main address (the default LEGAL one)."""
    chosen = data.get("mainAddress")
    if any(a.id == chosen and a.default_address for a in c.addresses):
        return chosen
    main = main_address(c)
    return main.id if main is not None else None


def _address_derived(record: Any, main_id: int | None, users: dict[str, str]) -> dict[str, Any]:
    return m.address_from_native(
        record.id,
        read_record(ADDRESSES, record).model_dump(mode="json"),
        main=record.id == main_id,
        user=users.get(f"addresses/{record.address_guid}"),
    )


def address_dto(record: Any, kept: dict[str, Any], main_id: int | None, users: dict[str, str]) -> dict[str, Any]:
    return m.render(dto.ADDRESS, _address_derived(record, main_id, users), kept)


def bank_dto(record: Any, kept: dict[str, Any], users: dict[str, str]) -> dict[str, Any]:
    derived = m.bank_from_native(
        record.id,
        read_record(BANK_ACCOUNTS, record).model_dump(mode="json"),
        user=users.get(f"bank_accounts/{record.account_guid}"),
    )
    return m.render(dto.BANK_ACCOUNT, derived, kept)


def customer_dto(session: Session, c: Customer, cuid: str, data: Extras | None = None) -> dict[str, Any]:
    """CustomerEntityDetailsDTO of a customer, its addresses and bank accounts included
    (`data`: its extras when just written)."""
    data = extras(c) if data is None else data
    users = change_users(session, c)
    native = read.detail(c, cuid).model_dump(mode="json")
    derived = m.customer_from_native(native) | {"changeUser": m.change_user(users.get("customer"), dto.CUSTOMER)}
    out = m.render(dto.CUSTOMER, derived, data.get("customer") or {})
    addresses, banks = data.get("addresses") or {}, data.get("bankAccounts") or {}
    main_id = main_address_id(c, data)
    out["customerEntityAddressDTOS"] = [
        address_dto(a, addresses.get(str(a.id)) or {}, main_id, users) for a in c.addresses
    ]
    out["customerEntityBankAccountDTOS"] = [bank_dto(b, banks.get(str(b.id)) or {}, users) for b in c.bank_accounts]
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


def _designate(data: Extras, record_id: int, values: dict[str, Any]) -> None:
    """A main address demotes the one before (the vendor's rule); an address written as not
    main is no longer the chosen one."""
    if values.get("isMainAddress"):
        data["mainAddress"] = record_id
    elif data.get("mainAddress") == record_id:
        del data["mainAddress"]


def _address_written(ctx, c: Customer, record: Any, values: dict[str, Any], data: Extras) -> dict[str, Any]:
    """Choose the main address and keep what was sent (as `_record_extras`)."""
    _designate(data, record.id, values)
    customer_writer.flush(ctx.session)
    ctx.session.expire(c, ["addresses"])  # reloaded with the written record and its default flag
    derived = _address_derived(record, main_address_id(c, data), {})
    data.setdefault("addresses", {})[str(record.id)] = kept = _record_extras(values, derived, m.ADDRESS_MAPPED)
    return kept


def _add_address(ctx, c: Customer, values: dict[str, Any], data: Extras) -> Any:
    with seed_names(m.ADDRESS_NAMES):
        body = validate(AddressFields, m.address_to_native(values), m.ADDRESS_NAMES).model_dump()
        record = create_record(ctx.session, ctx.company, ADDRESSES, c, body, actor=ctx.actor)
    _address_written(ctx, c, record, values, data)
    return record


def _add_bank_account(ctx, c: Customer, values: dict[str, Any], data: Extras) -> Any:
    with seed_names(m.BANK_NAMES):
        body = validate(BankAccountFields, m.bank_to_native(values), m.BANK_NAMES).model_dump()
        record = create_record(ctx.session, ctx.company, BANK_ACCOUNTS, c, body, actor=ctx.actor)
    derived = m.bank_from_native(record.id, read_record(BANK_ACCOUNTS, record).model_dump(mode="json"), user=None)
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
    return _answer(ctx, c, data)


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
    return _answer(ctx, c, data)


def _answer(ctx, c: Customer, data: Extras) -> dict[str, Any]:
    """The DTO after a write: its audit entries written first (`changeUser`)."""
    customer_writer.flush(ctx.session)
    ctx.session.expire(c, ["addresses", "bank_accounts"])  # reloaded with the new records
    return customer_dto(ctx.session, c, ctx.cuid, data)


def add_address(ctx, c: Customer, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.ADDRESS)
    data = extras(c)
    record = _add_address(ctx, c, values, data)
    _save(ctx, c, data)
    return _record_answer(ctx, c, record, data, "addresses")


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
    data = extras(c)
    _address_written(ctx, c, record, values, data)
    _save(ctx, c, data)
    return _record_answer(ctx, c, record, data, "addresses")


def add_bank_account(ctx, c: Customer, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.BANK_ACCOUNT)
    data = extras(c)
    record = _add_bank_account(ctx, c, values, data)
    _save(ctx, c, data)
    return _record_answer(ctx, c, record, data, "bankAccounts")


def replace_bank_account(ctx, c: Customer, key: str, body: Any) -> dict[str, Any]:
    values = dto.parse(body, dto.BANK_ACCOUNT)
    record = _record(c.bank_accounts, key, "bank account")
    with seed_names(m.BANK_NAMES):
        native = validate(BankAccountFields, m.bank_to_native(values), m.BANK_NAMES).model_dump(exclude_unset=True)
        replace_record(ctx.session, ctx.company, BANK_ACCOUNTS, c, record, native, actor=ctx.actor)
    derived = m.bank_from_native(record.id, read_record(BANK_ACCOUNTS, record).model_dump(mode="json"), user=None)
    data = extras(c)
    data.setdefault("bankAccounts", {})[str(record.id)] = _record_extras(values, derived, m.BANK_MAPPED)
    _save(ctx, c, data)
    return _record_answer(ctx, c, record, data, "bankAccounts")


def _record_answer(ctx, c: Customer, record: Any, data: Extras, kind: str) -> dict[str, Any]:
    """An address's or bank account's DTO after its write."""
    customer_writer.flush(ctx.session)
    users = change_users(ctx.session, c)
    if kind == "bankAccounts":
        return bank_dto(record, data[kind][str(record.id)], users)
    return address_dto(record, data[kind][str(record.id)], main_address_id(c, data), users)
