import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class AdminCredential(Base):
    """The bootstrap admin token, stored only as a SHA-256 hash."""

    __tablename__ = "admin_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiClient(Base):
    """An API client (OAuth2 client credentials). The secret is stored only as an argon2 hash."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(200))
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
    __table_args__ = (
        UniqueConstraint("customer_id", "user_id"),
        Index("ix_customer_users_user_id", "user_id"),
    )
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


class AuditEntry(Base):
    """Who changed what of a customer (or of one of its records), when, old → new.

    Keyed by the customer's GUID and number rather than a foreign key, so the trail
    outlives a deleted customer."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_company_id_customer_guid_id", "company_id", "customer_guid", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_number: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(10))  # admin | client | user | system
    actor_id: Mapped[str] = mapped_column(String(255))
    operation: Mapped[str] = mapped_column(String(10))  # create | update | delete
    resource: Mapped[str] = mapped_column(String(200))  # "customer", "addresses/<guid>", ...
    changes: Mapped[list] = mapped_column(JSON)  # [{"field", "old", "new"}]
