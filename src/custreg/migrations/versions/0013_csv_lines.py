"""customer_csv_lines: each customer's CSV export line, written with its stored document

Triggers delete a customer's line whenever its row, one of its addresses or one of its
external ids changes (any writer, the API or another tool), so a line that is there is the
line of the current columns; the export formats the others from the columns
(docs/export.md, "Stored lines").

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RECORD_TABLES = ("addresses", "external_ids")

SQLITE_TRIGGERS = [
    "CREATE TRIGGER customer_csv_lines_customers AFTER UPDATE ON customers BEGIN "
    "DELETE FROM customer_csv_lines WHERE customer_id IN (old.id, new.id); END",
    *(f"CREATE TRIGGER customer_csv_lines_{t}_{op_name} AFTER {op_name.upper()} ON {t} BEGIN "
      f"DELETE FROM customer_csv_lines WHERE customer_id IN ({keys}); END"
      for t in RECORD_TABLES
      for op_name, keys in (("insert", "new.customer_id"),
                            ("update", "old.customer_id, new.customer_id"),
                            ("delete", "old.customer_id"))),
]

# PostgreSQL: once per statement from the transition tables (the import's COPY of a batch
# is one statement), one function for every table and operation.
POSTGRES_FUNCTION = """
CREATE FUNCTION customer_csv_lines_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'customers' THEN
    DELETE FROM customer_csv_lines l USING old_rows o WHERE l.customer_id = o.id;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM customer_csv_lines l USING old_rows o WHERE l.customer_id = o.customer_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM customer_csv_lines l USING new_rows n WHERE l.customer_id = n.customer_id;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER customer_csv_lines_customers AFTER UPDATE ON customers "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_csv_lines_forget()",
    *(f"CREATE TRIGGER customer_csv_lines_{t}_{op_name} AFTER {op_name.upper()} ON {t} "
      f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION customer_csv_lines_forget()"
      for t in RECORD_TABLES
      for op_name, tables in (("insert", "NEW TABLE AS new_rows"),
                              ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                              ("delete", "OLD TABLE AS old_rows"))),
]


def upgrade() -> None:
    op.create_table(
        "customer_csv_lines",
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_format", sa.SmallInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name in [("customers", "customer_csv_lines_customers"),
                        *((t, f"customer_csv_lines_{t}_{o}") for t in RECORD_TABLES
                          for o in ("insert", "update", "delete"))]:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS customer_csv_lines_forget()")
    op.drop_table("customer_csv_lines")
