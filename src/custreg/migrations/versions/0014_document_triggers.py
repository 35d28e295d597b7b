"""Stored documents are invalidated by triggers, as the stored CSV lines already are

One mechanism for both derived copies (docs/architecture.md): the database deletes a
customer's stored document whenever its row or one of its records changes, whoever writes
(the API, an import, another tool), and the documents of the customers related to it when
its row changes (their `myGuarantors` / `guaranteeFor` show its fields). The write path
renders the documents of the customers it wrote before COMMIT; GET renders any other live.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

RECORD_TABLES = (
    "addresses",
    "bank_accounts",
    "consent_history",
    "consents",
    "contacts",
    "credit_insurances",
    "customer_actions",
    "customer_relations",
    "customer_users",
    "direct_debit_mandates",
    "external_ids",
    "extra_fields",
    "party_parameters",
    "pledges",
)
OPS = (
    ("insert", "new.customer_id", "NEW TABLE AS new_rows"),
    ("update", "old.customer_id, new.customer_id", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "old.customer_id", "OLD TABLE AS old_rows"),
)
_RELATED = (
    "SELECT related_customer_id FROM customer_relations WHERE customer_id = {id} "
    "UNION SELECT customer_id FROM customer_relations WHERE related_customer_id = {id}"
)

SQLITE_TRIGGERS = [
    "CREATE TRIGGER customer_documents_customers AFTER UPDATE ON customers BEGIN "
    "DELETE FROM customer_documents WHERE customer_id IN (old.id, new.id) "
    f"OR customer_id IN ({_RELATED.format(id='new.id')}); END",
    *(
        f"CREATE TRIGGER customer_documents_{t}_{name} AFTER {name.upper()} ON {t} BEGIN "
        f"DELETE FROM customer_documents WHERE customer_id IN ({keys}); END"
        for t in RECORD_TABLES
        for name, keys, _tables in OPS
    ),
]

# PostgreSQL: once per statement from the transition tables, one function for all.
POSTGRES_FUNCTION = """
CREATE FUNCTION customer_documents_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'customers' THEN
    DELETE FROM customer_documents d USING old_rows o WHERE d.customer_id = o.id;
    DELETE FROM customer_documents d USING customer_relations r, old_rows o
      WHERE r.customer_id = o.id AND d.customer_id = r.related_customer_id;
    DELETE FROM customer_documents d USING customer_relations r, old_rows o
      WHERE r.related_customer_id = o.id AND d.customer_id = r.customer_id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM customer_documents d USING old_rows o WHERE d.customer_id = o.customer_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM customer_documents d USING new_rows n WHERE d.customer_id = n.customer_id;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER customer_documents_customers AFTER UPDATE ON customers "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_documents_forget()",
    *(
        f"CREATE TRIGGER customer_documents_{t}_{name} AFTER {name.upper()} ON {t} "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION customer_documents_forget()"
        for t in RECORD_TABLES
        for name, _keys, tables in OPS
    ),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    names = [("customers", "customer_documents_customers")]
    names += [(t, f"customer_documents_{t}_{name}") for t in RECORD_TABLES for name, _k, _t in OPS]
    for table, name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS customer_documents_forget()")
