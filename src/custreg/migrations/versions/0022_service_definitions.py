"""CLVR custom service definitions (issues 24, 25): a company's services and their
asynchronous invocations.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

import custreg.db.base

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = custreg.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "service_definitions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("service_guid", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_service_definitions_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_definitions")),
        sa.UniqueConstraint("service_guid", name=op.f("uq_service_definitions_service_guid")),
        sa.UniqueConstraint("company_id", "name", name="uq_service_definitions_company_id_name"),
    )
    op.create_table(
        "service_invocations",
        sa.Column("id", _ID, nullable=False),
        sa.Column("invocation_guid", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("service_id", _ID, nullable=False),
        sa.Column("customer_guid", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_at", TIME, nullable=False),
        sa.Column("leased_until", TIME, nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("finished_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_service_invocations_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service_definitions.id"], name=op.f("fk_service_invocations_service_id_service_definitions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_invocations")),
        sa.UniqueConstraint("invocation_guid", name=op.f("uq_service_invocations_invocation_guid")),
    )
    op.create_index("ix_service_invocations_status_next_at", "service_invocations", ["status", "next_at"])
    op.create_index("ix_service_invocations_company_id", "service_invocations", ["company_id"])
    op.create_index("ix_service_invocations_service_id", "service_invocations", ["service_id"])


def downgrade() -> None:
    op.drop_table("service_invocations")
    op.drop_table("service_definitions")
