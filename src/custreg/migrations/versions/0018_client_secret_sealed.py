"""API client secrets also kept encrypted (Fernet), for the Fivaldi HMAC signature

Clients created before this revision have none: they authenticate with bearer tokens only
until their secret is re-issued (a new client).

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("secret_sealed", sa.String(400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("secret_sealed")
