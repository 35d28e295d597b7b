from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class AdminCredential(Base):
    """The bootstrap admin token, stored only as a SHA-256 hash."""

    __tablename__ = "admin_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiClient(Base):
    """An API client (OAuth2 client credentials). The secret is stored as an argon2 hash (bearer
    tokens) and encrypted (`secret_sealed`, access/secret_box.py: the Fivaldi HMAC key)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(200))
    secret_sealed: Mapped[str | None] = mapped_column(String(400))
    scopes: Mapped[list] = mapped_column(JSON)
    companies: Mapped[list] = mapped_column(JSON)  # cuids
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SigningKey(Base):
    """The key that signs client access tokens when CUSTREG_TOKEN_SIGNING_KEY is not set:
    generated once and shared by every worker through the database."""

    __tablename__ = "token_signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerUser(Base):
    """`attachedUsers`: an end user (the identity provider's `sub`) attached to a customer."""

    __tablename__ = "customer_users"
    __table_args__ = (UniqueConstraint("customer_id", "user_id"), Index("ix_customer_users_user_id", "user_id"))
    __audit_name__ = "attachedUsers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("customers.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(String(255))

    # `Customer.user_links` is declared here so the customers domain need not know us.
    customer = relationship(
        "Customer",
        backref=backref(
            "user_links", cascade="all, delete-orphan", passive_deletes=True, order_by="CustomerUser.user_id"
        ),
    )
