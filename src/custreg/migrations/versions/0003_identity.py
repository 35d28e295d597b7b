"""identity and configuration: external ids, register codes

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from custreg.register.defaults import DEFAULTS

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.create_table(
        "external_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("external_id_guid", sa.Uuid(), nullable=False),
        sa.Column("external_system_id", sa.Integer(), nullable=False),
        sa.Column("external_system_identifier", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_external_ids_company_id_companies")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name=op.f("fk_external_ids_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_ids")),
        sa.UniqueConstraint("company_id", "external_system_id", "external_system_identifier",
                            name=op.f("uq_external_ids_company_id_external_system_id_external_system_identifier")),
        sa.UniqueConstraint("external_id_guid", name=op.f("uq_external_ids_external_id_guid")),
    )
    op.create_index("ix_external_ids_customer_id", "external_ids", ["customer_id"])
    op.create_table(
        "register_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("parent", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"],
                                name=op.f("fk_register_codes_company_id_companies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_codes")),
        sa.UniqueConstraint("company_id", "category", "parent", "code",
                            name=op.f("uq_register_codes_company_id_category_parent_code")),
    )
    op.create_index("ix_register_codes_company_category", "register_codes", ["company_id", "category"])
    _seed_existing_companies()


def _seed_existing_companies() -> None:
    conn = op.get_bind()
    codes = sa.table("register_codes", sa.column("company_id"), sa.column("category"),
                     sa.column("parent"), sa.column("code"), sa.column("name"), sa.column("position"))
    rows = [
        {"company_id": cid, "category": cat, "parent": "", "code": code, "name": name, "position": i}
        for (cid,) in conn.execute(sa.text("SELECT id FROM companies"))
        for cat, items in DEFAULTS.items() for i, (code, name) in enumerate(items)
    ]
    if rows:
        op.bulk_insert(codes, rows)


def downgrade() -> None:
    op.drop_index("ix_register_codes_company_category", table_name="register_codes")
    op.drop_table("register_codes")
    op.drop_index("ix_external_ids_customer_id", table_name="external_ids")
    op.drop_table("external_ids")
