"""Consents: one current state per channel; every change is kept in `consent_history`
with its time, source and who made it (ctx.actor), also after a replace or a delete."""

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.consents.models import Consent, ConsentChange
from custreg.consents.schemas import ConsentFields, ConsentRead
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.db.columns import filter_fields
from custreg.errors import field_error
from custreg.odata import parse_filter, parse_orderby
from custreg.paging import ListParams
from custreg.records import RecordKind, to_dict
from custreg.register import service as register


def channel_key(value: Any) -> str:
    """A channel code's form; which channels a company accepts is its register's
    `consentChannels` (checked in `rule`)."""
    channel = value.strip().upper() if isinstance(value, str) else ""
    if not re.fullmatch(r"[A-Z0-9_-]{1,20}", channel):
        raise field_error("channel", "must be a channel code such as EMAIL, SMS, PHONE, POST")
    return channel


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    channel = values.get("channel") or (existing.channel if existing is not None else None)
    if channel is not None:
        register.check_code(session, company, "consentChannels", channel, "channel")
    if values.get("grantedAt") is None:
        values["grantedAt"] = utcnow()
    return values


def record_change(session: Session, customer: Customer, consent: Consent, op: str, actor: str | None) -> None:
    deleted = op == "delete"
    session.add(
        ConsentChange(
            customer_id=customer.id,
            channel=consent.channel,
            change="DELETED" if deleted else ("GRANTED" if consent.granted else "WITHDRAWN"),
            granted=None if deleted else consent.granted,
            source=None if deleted else consent.source,
            granted_at=None if deleted else consent.granted_at,
            changed_at=utcnow(),
            changed_by=actor,
        )
    )


CONSENTS = RecordKind(
    model=Consent,
    path="consents",
    id_field="channel",
    write_schema=ConsentFields,
    read_schema=ConsentRead,
    title="consent",
    rule=rule,
    key=channel_key,
    on_change=record_change,
)

HISTORY_FIELDS = filter_fields(ConsentChange, ["change", "granted", "source", "grantedAt", "changedAt", "changedBy"])


def history_page(session: Session, customer: Customer, channel: str, params: ListParams):
    """A channel's changes, oldest first unless `$orderby` says otherwise."""
    where = [ConsentChange.customer_id == customer.id, ConsentChange.channel == channel]
    if params.filter:
        where.append(parse_filter(params.filter, HISTORY_FIELDS))
    order = parse_orderby(params.orderby, HISTORY_FIELDS) if params.orderby else []
    total = session.scalar(select(func.count()).select_from(ConsentChange).where(*where)) or 0
    rows = session.scalars(
        select(ConsentChange).where(*where).order_by(*order, ConsentChange.id).limit(params.top).offset(params.skip)
    ).all()
    return total, [_change(r) for r in rows]


def _change(r: ConsentChange) -> dict[str, Any]:
    return {
        "channel": r.channel,
        "change": r.change,
        "granted": r.granted,
        "source": r.source,
        "grantedAt": r.granted_at,
        "changedAt": r.changed_at,
        "changedBy": r.changed_by,
    }


# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_consents() -> LoaderOption:
    return selectinload(Customer.consents)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"consents": [to_dict(CONSENTS, x) for x in c.consents]}


def all_changes(session: Session, customer: Customer) -> list[dict[str, Any]]:
    """Every consent change of the customer, oldest first (the subject access export)."""
    rows = session.scalars(
        select(ConsentChange).where(ConsentChange.customer_id == customer.id).order_by(ConsentChange.id)
    ).all()
    return [_change(r) for r in rows]
