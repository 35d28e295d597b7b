"""Identifiers in one stored form: python-stdnum's standard format, a Swedish personnummer
with its century (docs/customers.md, "Identifiers"); searchWord also finds street and postal code

Rewrites the stored `id_number` of every customer whose code is valid for its country
(main address, else company) and kind, and every search text (now with the main address's
street and postal code; a 12-digit personnummer is also found by its 10 digits). Codes no
scheme validates stay as they are. Batches of 1,000 by id; only rows that change are
written, and the triggers of 0013 and 0014 drop their stored CSV lines and documents.
No downgrade of the data: the old forms are what `identifiers.forms` also matches.

Revision ID: 0017
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from custreg.customers import identifiers, rows
from custreg.customers.shape import SEARCH_FIELDS
from custreg.db.columns import snake

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 1000
_FIELDS = tuple(dict.fromkeys((*SEARCH_FIELDS, "idNumber", "vatNumber", "homePhone", "workPhone", "cellularPhone")))


def _stored(code: str, country: str | None, person: bool) -> str:
    scheme = (identifiers.PERSONAL if person else identifiers.BUSINESS).get(country or "")
    if scheme is None or not scheme.module.is_valid(code):
        return code
    return identifiers.standard(scheme.module, code)


def upgrade() -> None:
    bind = op.get_bind()
    meta = sa.MetaData()
    customers = sa.Table("customers", meta, autoload_with=bind)
    addresses = sa.Table("addresses", meta, autoload_with=bind)
    companies = sa.Table("companies", meta, autoload_with=bind)
    main = sa.and_(
        addresses.c.customer_id == customers.c.id,
        addresses.c.address_type == "LEGAL",
        addresses.c.default_address.is_(True),
    )
    columns = [customers.c[snake(f)] for f in _FIELDS]
    query = (
        sa.select(
            customers.c.id,
            customers.c.customer_number,
            customers.c.customer_type,
            customers.c.search_text,
            addresses.c.country_code,
            addresses.c.city,
            addresses.c.street,
            addresses.c.zip_code,
            companies.c.country_code.label("company_country"),
            *columns,
        )
        .select_from(customers.join(companies, companies.c.id == customers.c.company_id).outerjoin(addresses, main))
        .where(customers.c.id > sa.bindparam("after"))
        .order_by(customers.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(customers)
        .where(customers.c.id == sa.bindparam("cid"))
        .values(id_number=sa.bindparam("new_id"), search_text=sa.bindparam("new_text"))
    )
    after = 0
    while True:
        batch = bind.execute(query, {"after": after}).mappings().all()
        if not batch:
            return
        changes = []
        for row in batch:
            country = row["country_code"] or row["company_country"]
            code = row["id_number"]
            new = code and _stored(code, country, (row["customer_type"] or "PERSON") == "PERSON")
            values = {f: row[snake(f)] for f in _FIELDS} | {"idNumber": new}
            values |= {"city": row["city"], "street": row["street"], "zipCode": row["zip_code"]}
            words = rows.search_text(row["customer_number"], values)
            if new != code or words != row["search_text"]:
                changes.append({"cid": row["id"], "new_id": new, "new_text": words})
        if changes:
            bind.execute(write, changes)
        after = batch[-1]["id"]


def downgrade() -> None:
    pass
