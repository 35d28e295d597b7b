"""The stored document: each customer's full representation, rendered when a write
commits, so `GET /customers/{customer}` is one indexed read and no rendering.

- `touch()` marks the customer dirty; at the commit the documents of the customers related
  to it are deleted (their `myGuarantors`/`guaranteeFor` show its fields).
- Before the commit, every dirty customer still in the session is rendered: the
  rendering a write endpoint already made for its response is reused when the
  customer's version has not moved since.
- A customer without a document (a related customer changed; an import row written one by
  one) is rendered live on GET. Documents live in `customer_documents`, not in the
  customers row (models.CustomerDocument says why). The bulk import writes its customers'
  documents itself (NewDocuments).
"""

from functools import cache

from sqlalchemy import bindparam, delete, event, inspect, select
from sqlalchemy.orm import Session

from custreg.customers.models import Customer, CustomerCsvLine, CustomerDocument

DIRTY = "customers_dirty"
RENDERED = "customers_rendered"
NEW = "customers_new"


def mark_dirty(session: Session, customer: Customer) -> None:
    dirty = session.info.setdefault(DIRTY, set())
    if customer in dirty:
        return
    dirty.add(customer)
    if customer.id is None:  # created in this transaction: nobody relates to it yet
        session.info.setdefault(NEW, set()).add(customer)
    else:  # gone now, so a customer not rendered at COMMIT (the import's) is rendered live
        session.connection().execute(_DELETE_ONE, {"cid": customer.id})


def remember(customer: Customer, model) -> None:
    """read.detail() calls this: a rendering made during a write can be stored as is."""
    session = inspect(customer).session
    if session is not None and customer in session.info.get(DIRTY, ()):
        session.info.setdefault(RENDERED, {})[customer.id] = (customer.version, model)


def _clear_related(session: Session, ids: list[int]) -> None:
    try:
        from custreg.relations.models import CustomerRelation as R
    except ImportError:  # pragma: no cover - relations not installed
        return
    related = (
        select(R.related_customer_id)
        .where(R.customer_id.in_(ids))
        .union(select(R.customer_id).where(R.related_customer_id.in_(ids)))
    )
    # The ids first, then an UPDATE by primary key: with the subquery inside the UPDATE,
    # PostgreSQL right after a bulk import (no statistics yet) scanned every customer for
    # each record written (minutes per write at 200k customers).
    found = [i for i in session.connection().execute(related).scalars() if i not in ids]
    if found:
        session.connection().execute(delete(_d).where(_d.c.customer_id.in_(found)))


@event.listens_for(Session, "before_commit")
def _render_dirty(session: Session) -> None:
    dirty = session.info.pop(DIRTY, None)
    rendered = session.info.pop(RENDERED, {})
    new = session.info.pop(NEW, set())
    if not dirty:
        return
    from custreg.companies.models import Company
    from custreg.customers import read

    session.flush()
    ids = [c.id for c in dirty if c.id is not None and c not in new]
    if ids:
        _clear_related(session, ids)
    documents = []
    for customer in dirty:
        state = inspect(customer)
        if state.deleted or state.was_deleted or state.detached or state.transient or customer.id is None:
            continue
        version, model = rendered.get(customer.id, (None, None))
        if model is None or version != customer.version:
            # Collections loaded before this transaction's deletes still hold them.
            session.expire(customer, [r.key for r in inspect(Customer).relationships])
            cuid = session.scalar(select(Company.cuid).where(Company.id == customer.company_id))
            model = read.detail(customer, cuid, remember_rendering=False)
        documents.append({"cid": customer.id, "doc": model.model_dump_json()})
    conn = session.connection()
    if documents:
        # One Core upsert (executemany): an ORM flush of one column cost ~10 % of a POST.
        conn.execute(_upsert(conn.dialect.name), documents)
        store_lines(conn, [d["cid"] for d in documents])
    session.flush()


def store_lines(conn, ids: list[int]) -> None:
    """The export's CSV lines of these customers, written with their documents."""
    from custreg.sync import export

    lines = [{"cid": cid, "fmt": fmt, "line": line} for cid, fmt, line in export.line_texts(conn, ids)]
    if lines:
        conn.execute(_upsert_line(conn.dialect.name), lines)


_d = CustomerDocument.__table__
_DELETE_ONE = delete(_d).where(_d.c.customer_id == bindparam("cid"))


@cache
def _upsert(dialect_name: str):
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(_d).values(customer_id=bindparam("cid"), body=bindparam("doc"))
    return stmt.on_conflict_do_update(index_elements=[_d.c.customer_id], set_={"body": stmt.excluded.body})


@cache
def _upsert_line(dialect_name: str):
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    t = CustomerCsvLine.__table__
    stmt = insert(t).values(
        customer_id=bindparam("cid"), line_format=bindparam("fmt"), line=bindparam("line")
    )
    return stmt.on_conflict_do_update(
        index_elements=[t.c.customer_id],
        set_={"line_format": stmt.excluded.line_format, "line": stmt.excluded.line},
    )


_c = Customer.__table__.c
# By customer number or GUID; built once and run as Core: building the select and its
# cache key, and the ORM's execute, were a quarter of a GET's CPU.
_STORED = {
    name: select(_d.c.body, _c.version)
    .join_from(Customer.__table__, _d, _d.c.customer_id == _c.id)
    .where(_c.company_id == bindparam("company"), _c[name] == bindparam("key"))
    for name in ("customer_number", "customer_guid")
}


def stored(session: Session, company_id: int, key_column, key) -> tuple[str, int] | None:
    """(document, version) of one customer, or None when it has no stored document."""
    row = session.connection().execute(_STORED[key_column.key], {"company": company_id, "key": key}).first()
    if row is None:
        return None
    return row[0], row[1]


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    # A rolled-back write renders nothing; what it marked must not leak into the next one.
    if previous_transaction.parent is None or not session.in_transaction():
        for key in (DIRTY, RENDERED, NEW):
            session.info.pop(key, None)


# ---- documents of customers created by the bulk import (sync/bulk.py)

NUMBER_MARK = "\x01"  # raw control characters never occur in JSON text (escaped as \u00XX)
TIME_MARK = "\x02"
_SENTINEL_NUMBER = 9_223_372_036_854_775_807  # rendered, then replaced by NUMBER_MARK


class NewDocuments:
    """The stored document of a customer that the import creates, exactly as read.detail
    (GET's live rendering) renders that customer once stored: its column values, its main
    address and external id, no other record. The customer number and the timestamps are
    known only when the batch is written: they are left as NUMBER_MARK / TIME_MARK in the
    text, filled in by `finish`. Pure (no database): runs in the import's worker processes.

    `render_live` runs read.detail on a stand-in for the customer (≈ 200 µs a row: a
    100-field pydantic model validated and dumped). `render` assembles the same text from
    a template learnt from read.detail's own output: the JSON of each field's value through
    that field's own pydantic serializer (cached per value: names, cities and codes
    repeat), between the constant parts (keys, the empty record lists of a new customer,
    the links). The template is checked against the live rendering when it is built and on
    every CHECK_EVERY-th row; on any difference the live rendering is used from then on."""

    CHECK_EVERY = 1000

    def __init__(self, cuid: str, fields: tuple[str, ...], address_fields: tuple[str, ...]) -> None:
        import datetime as dt

        from pydantic import TypeAdapter
        from sqlalchemy import inspect as sa_inspect

        from custreg.addresses.models import Address
        from custreg.db.columns import snake

        self.cuid, self.fields, self.address_fields = cuid, fields, address_fields
        self._columns = tuple(snake(f) for f in fields)
        self._address_columns = tuple(snake(f) for f in address_fields)
        self._relationships = tuple((r.key, r.uselist) for r in sa_inspect(Customer).relationships)
        self._all_address_columns = tuple(c.key for c in Address.__table__.columns)
        self._time = dt.datetime(2000, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
        stamp = TypeAdapter(dt.datetime).dump_json(self._time).decode()
        self._replace = [
            (f'"customerNumber":{_SENTINEL_NUMBER}', f'"customerNumber":{NUMBER_MARK}'),
            (f'"regDate":{stamp}', f'"regDate":{TIME_MARK}'),
            (f'"lastUpdatedAt":{stamp}', f'"lastUpdatedAt":{TIME_MARK}'),
        ]
        self.rendered = 0
        self.template = None
        try:
            self.template = self._learn()
        except Exception:
            self.template = None

    # -- the live path

    def render_live(
        self,
        guid,
        values: tuple,
        excluded: bool,
        given_full_name: bool,
        address: tuple | None,
        external: tuple | None,
    ) -> str | None:
        """`values`: the stored values of `fields`; `address`: (address guid, *values of
        address_fields) or None; `external`: (external id guid, system id, identifier)."""
        from types import SimpleNamespace

        from custreg.customers import read

        c = SimpleNamespace(**{k: ([] if many else None) for k, many in self._relationships})
        for col, value in zip(self._columns, values):
            setattr(c, col, value)
        c.id = None
        c.excluded, c.full_name_given = excluded, given_full_name
        c.customer_guid = guid
        c.customer_number = _SENTINEL_NUMBER
        c.reg_date = c.last_updated_at = self._time
        c.version = 1
        if address is not None:
            a = SimpleNamespace(**dict.fromkeys(self._all_address_columns))
            for col, value in zip(self._address_columns, address[1:]):
                setattr(a, col, value)
            a.address_guid, a.address_type, a.default_address = address[0], "LEGAL", True
            a.last_updated_at = self._time
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
        text = read.detail(c, self.cuid, remember_rendering=False).model_dump_json()
        for old, new in self._replace:
            text = text.replace(old, new)
        if text.count(NUMBER_MARK) != 1 or text.count(TIME_MARK) != 2 + (address is not None):
            return None  # not the shape this expects: no stored document (GET renders live)
        return text

    # -- the template

    def render(
        self,
        guid,
        values: tuple,
        excluded: bool,
        given_full_name: bool,
        address: tuple | None,
        external: tuple | None,
    ) -> str | None:
        self.rendered += 1
        if self.template is None:
            return self.render_live(guid, values, excluded, given_full_name, address, external)
        text = self._assemble(guid, values, excluded, address, external)
        if self.rendered % self.CHECK_EVERY == 1:
            live = self.render_live(guid, values, excluded, given_full_name, address, external)
            if live != text:
                self.template = None
                return live
        return text

    def _learn(self):
        import json
        import uuid

        from pydantic import TypeAdapter
        from pydantic_core import to_json

        from custreg.addresses.schemas import AddressRead
        from custreg.customers.schemas import CustomerDetail

        probe_guid = uuid.UUID(int=0x5EED)
        probe = tuple("PERSON" if f == "customerType" else None for f in self.fields)
        live = self.render_live(
            probe_guid,
            probe,
            False,
            False,
            (uuid.UUID(int=0xADD), *((None,) * len(self.address_fields))),
            (uuid.UUID(int=0xE1D), 1, "x"),
        )
        parsed = json.loads(live.replace(NUMBER_MARK, "0").replace(TIME_MARK, '"t"'))

        def adapter(model, key):
            fi = model.model_fields[key]
            from typing import Annotated

            return TypeAdapter(Annotated[(fi.annotation, *fi.metadata)] if fi.metadata else fi.annotation)

        field_index = {f: i for i, f in enumerate(self.fields)}
        address_index = {f: i + 1 for i, f in enumerate(self.address_fields)}
        guid_text = str(probe_guid)
        steps = []  # ("c", text) constant, or (kind, argument)
        for key, value in parsed.items():
            head = to_json(key).decode() + ":"
            if key in field_index:
                steps.append(("v", head, field_index[key], adapter(CustomerDetail, key)))
            elif key == "excluded":
                steps.append(("x", head))
            elif key in address_index:
                steps.append(("a", head, address_index[key], adapter(CustomerDetail, key)))
            elif key == "customerGuid":
                steps.append(("g", head))
            elif key == "customerNumber":
                steps.append(("c", head + NUMBER_MARK))
            elif key in ("regDate", "lastUpdatedAt"):
                steps.append(("c", head + TIME_MARK))
            elif key == "version":
                steps.append(("c", head + "1"))
            elif key == "links":
                links = to_json(value).decode()
                if guid_text not in links:
                    raise ValueError("links without the customer's GUID")
                steps.append(("l", head, links.split(guid_text)))
            elif key == "addresses":
                parts = []
                for akey in value[0]:
                    ahead = to_json(akey).decode() + ":"
                    if akey in address_index:
                        parts.append(("a", ahead, address_index[akey], adapter(AddressRead, akey)))
                    elif akey == "addressGuid":
                        parts.append(("ag", ahead))
                    elif akey == "lastUpdatedAt":
                        parts.append(("c", ahead + TIME_MARK))
                    elif akey in ("addressType", "defaultAddress"):
                        parts.append(("c", ahead + to_json(value[0][akey]).decode()))
                    elif value[0][akey] is None:
                        parts.append(("c", ahead + "null"))
                    else:
                        raise ValueError(f"address {akey} is not known")
                steps.append(("A", head, parts))
            elif key == "externalIds":
                steps.append(("E", head))
            elif key in ("externalSystemId", "externalSystemIdentifier"):
                steps.append(("es" if key == "externalSystemId" else "ei", head))
            elif value in ([], None):  # a record list (or field) another domain renders
                steps.append(("c", head + to_json(value).decode()))
            else:
                raise ValueError(f"{key} is not known")
        template = steps
        self._assembler = self._compile(steps)
        self.template = template
        again = self._assemble(
            probe_guid,
            probe,
            False,
            (uuid.UUID(int=0xADD), *((None,) * len(self.address_fields))),
            (uuid.UUID(int=0xE1D), 1, "x"),
        )
        if again != live:
            raise ValueError("the template does not give read.detail's text")
        return template

    @staticmethod
    def _field_json(adapter, limit: int = 4096):
        """The JSON of a field's value through its own serializer, cached per value until
        the field has `limit` distinct values (then it is mostly distinct: not cached)."""
        dump = adapter.dump_json
        cache: dict | None = {}

        def field_json(value) -> str:
            nonlocal cache
            if value is None:
                return "null"
            if cache is None:
                return dump(value).decode()
            try:
                key = (value.__class__, value)
                hit = cache.get(key)
            except TypeError:  # unhashable (dimensions)
                return dump(value).decode()
            if hit is None:
                if len(cache) >= limit:
                    cache = None
                    return dump(value).decode()
                hit = cache[key] = dump(value).decode()
            return hit

        return field_json

    def _compile(self, steps):
        """One Python function that joins the template's parts for a row."""
        from pydantic_core import to_json

        ns: dict = {"to_json": to_json}
        exprs: list[str] = []

        def const(text: str) -> None:
            if exprs and exprs[-1].startswith("C"):  # adjacent constants: one part
                ns[exprs[-1]] += "," + text
            else:
                name = f"C{len(ns)}"
                ns[name] = text
                exprs.append(name)

        for i, step in enumerate(steps):
            kind, head = step[0], step[1]
            h = f"H{i}"
            ns[h] = head
            if kind == "c":
                const(head)
            elif kind == "v":
                ns[f"j{i}"] = self._field_json(step[3])
                exprs.append(f"{h} + j{i}(values[{step[2]}])")
            elif kind == "a":
                ns[f"j{i}"] = self._field_json(step[3])
                exprs.append(f"{h} + ('null' if address is None else j{i}(address[{step[2]}]))")
            elif kind == "x":
                exprs.append(f"{h} + ('true' if excluded else 'false')")
            elif kind == "g":
                exprs.append(f"{h} + '\"' + g + '\"'")
            elif kind == "l":
                ns[f"l{i}"] = step[2]
                exprs.append(f"{h} + g.join(l{i})")
            elif kind == "A":
                parts = []
                for k, p in enumerate(step[2]):
                    ns[f"h{i}_{k}"] = p[1]
                    if p[0] == "a":
                        ns[f"j{i}_{k}"] = self._field_json(p[3])
                        parts.append(f"h{i}_{k} + j{i}_{k}(address[{p[2]}])")
                    elif p[0] == "ag":
                        parts.append(f"h{i}_{k} + '\"' + str(address[0]) + '\"'")
                    else:
                        parts.append(f"h{i}_{k}")
                exprs.append(
                    f"{h} + ('[]' if address is None else '[{{' + ','.join([{', '.join(parts)}]) + '}}]')"
                )
            elif kind == "E":
                exprs.append(
                    f"{h} + ('[]' if external is None else "
                    '\'[{"externalIdGuid":"\' + str(external[0]) + \'","externalSystemId":\' '
                    "+ to_json(external[1]).decode() + ',\"externalSystemIdentifier\":' "
                    "+ to_json(external[2]).decode() + '}]')"
                )
            elif kind == "es":
                exprs.append(f"{h} + ('null' if external is None else to_json(external[1]).decode())")
            elif kind == "ei":
                exprs.append(f"{h} + ('null' if external is None else to_json(external[2]).decode())")
            else:  # pragma: no cover
                raise ValueError(kind)
        src = (
            "def assemble(guid, values, excluded, address, external):\n"
            "    g = str(guid)\n"
            f"    return '{{' + ','.join([{', '.join(exprs)}]) + '}}'\n"
        )
        exec(compile(src, "<custreg.document template>", "exec"), ns)
        return ns["assemble"]

    def _assemble(self, guid, values, excluded, address, external) -> str:
        return self._assembler(guid, values, excluded, address, external)


def finish(text: str, number: int, stamp: str) -> str:
    """A document rendered by NewDocuments, with its customer number and timestamps."""
    return text.replace(NUMBER_MARK, str(number)).replace(TIME_MARK, stamp)
