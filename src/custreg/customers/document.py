"""The stored document: each customer's full representation (read.detail's JSON) kept in
`customer_documents`, so `GET /customers/{customer}` is one indexed read and no rendering.

How it stays true (docs/architecture.md, "Derived copies"):
- The database deletes a customer's document whenever its row or one of its records
  changes, and the documents of the customers related to it (migration 0014), whoever
  writes.
- The write path stores the documents of the customers it wrote before COMMIT
  (customers/writer.py: `create` from the new rows' values, `finish` for the others).
- A customer without a document is rendered live on GET.
"""

import datetime as dt
from types import SimpleNamespace
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.customers import read
from custreg.customers.models import Customer, CustomerDocument
from custreg.db.base import table_of
from custreg.db.columns import snake

NUMBER_MARK = "\x01"  # raw control characters never occur in JSON text (escaped as \u00XX)
TIME_MARK = "\x02"
_SENTINEL_NUMBER = 9_223_372_036_854_775_807  # rendered, then replaced by NUMBER_MARK
_SENTINEL_TIME = dt.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
_TIME = TypeAdapter(dt.datetime)
_SENTINEL_STAMP = _TIME.dump_json(_SENTINEL_TIME).decode()

_d = CustomerDocument.__table__
_c = Customer.__table__.c
# By customer number or GUID; built once (building a select and its cache key cost about a
# quarter of a GET's CPU).
_STORED = {
    name: select(_d.c.body, _c.version)
    .join_from(Customer.__table__, _d, _d.c.customer_id == _c.id)
    .where(_c.company_id == bindparam("company"), _c[name] == bindparam("key"))
    for name in ("customer_number", "customer_guid")
}


def stored(session: Session, company_id: int, key_column: str, key: Any) -> tuple[str, int] | None:
    """(document, version) of one customer by `customer_number` or `customer_guid`, or None
    when it has no stored document."""
    row = session.connection().execute(_STORED[key_column], {"company": company_id, "key": key}).first()
    return None if row is None else (row[0], row[1])


def _upsert(dialect_name: str):
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite_dialect.insert
    stmt = insert(table_of(CustomerDocument)).values(customer_id=bindparam("cid"), body=bindparam("doc"))
    return stmt.on_conflict_do_update(index_elements=[_d.c.customer_id], set_={"body": stmt.excluded.body})


_UPSERT = {name: _upsert(name) for name in ("postgresql", "sqlite")}


def store(session: Session, documents: list[dict[str, Any]]) -> None:
    """Write documents ({"cid": customer id, "doc": text}), replacing any there."""
    if documents:
        conn = session.connection()
        conn.execute(_UPSERT[conn.dialect.name], documents)


def render(customer: Customer, cuid: str) -> str:
    return read.detail(customer, cuid).model_dump_json()


class NewDocuments:
    """The documents of new customers, rendered from their values as read.detail renders
    them once stored: their own fields, main address and external id, no other record. The
    customer number and the times are known only when the rows are written: they are left as
    NUMBER_MARK / TIME_MARK, filled in by `finish`. Pure (no database): runs in the import's
    worker processes too."""

    def __init__(self, cuid: str, fields: tuple[str, ...], address_fields: tuple[str, ...]) -> None:
        self.cuid = cuid
        self._columns = tuple(snake(f) for f in fields)
        self._address_columns = tuple(snake(f) for f in address_fields)
        self._relationships = tuple((r.key, r.uselist) for r in inspect(Customer).relationships)
        self._all_address_columns = tuple(c.key for c in Address.__table__.columns)

    def render(
        self, guid, values: tuple, excluded: bool, given_full_name: bool, address: tuple | None, external: tuple | None
    ) -> str | None:
        """`values`: the stored values of the fields; `address`: (address guid, *values of
        the address fields) or None; `external`: (external id guid, system id, identifier).
        None when the text is not of the expected shape (then GET renders live)."""
        c = SimpleNamespace(**{k: ([] if many else None) for k, many in self._relationships})
        for col, value in zip(self._columns, values):
            setattr(c, col, value)
        c.id = None
        c.excluded, c.full_name_given = excluded, given_full_name
        c.customer_guid = guid
        c.customer_number = _SENTINEL_NUMBER
        c.reg_date = c.last_updated_at = _SENTINEL_TIME
        c.version = 1
        if address is not None:
            a = SimpleNamespace(**dict.fromkeys(self._all_address_columns))
            for col, value in zip(self._address_columns, address[1:]):
                setattr(a, col, value)
            a.address_guid, a.address_type, a.default_address = address[0], "LEGAL", True
            a.last_updated_at = _SENTINEL_TIME
            c.addresses = [a]
        if external is not None:
            c.external_ids = [
                SimpleNamespace(
                    id=0,
                    external_id_guid=external[0],
                    external_system_id=external[1],
                    external_system_identifier=external[2],
                )
            ]
        text = read.detail(c, self.cuid).model_dump_json()  # type: ignore[arg-type]
        text = text.replace(f'"customerNumber":{_SENTINEL_NUMBER}', f'"customerNumber":{NUMBER_MARK}')
        text = text.replace(_SENTINEL_STAMP, TIME_MARK)
        if text.count(NUMBER_MARK) != 1 or text.count(TIME_MARK) != 2 + (address is not None):
            return None
        return text


def stamp(when: dt.datetime) -> str:
    """A time as the document writes it (JSON, quoted)."""
    return _TIME.dump_json(when).decode()


def finish(text: str, number: int, when: str) -> str:
    """A document rendered by NewDocuments with its customer number and times (`stamp`)."""
    return text.replace(NUMBER_MARK, str(number)).replace(TIME_MARK, when)
