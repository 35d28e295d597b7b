import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class Customer(Base):
    """A person or an organisation in one company's register.

    Main-address fields live in the customer's default LEGAL address record.
    """

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("company_id", "customer_number"),
        UniqueConstraint("company_id", "customer_guid"),
        Index("ix_customers_company_last_updated", "company_id", "last_updated_at"),
        Index("ix_customers_company_last_name", "company_id", "last_name"),
        # `lastName eq` lists: count index-only, page in number order (migration 0010).
        Index("ix_customers_company_excluded_last_name", "company_id", "excluded", "last_name", "customer_number"),
        Index("ix_customers_company_company_name", "company_id", "company_name"),
        Index("ix_customers_company_full_name", "company_id", "full_name"),
        Index("ix_customers_company_id_number", "company_id", "id_number"),
        Index("ix_customers_company_email", "company_id", "email"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_number: Mapped[int] = mapped_column(BigInteger)
    customer_type: Mapped[str] = mapped_column(String(10), default="PERSON")
    customer_reference: Mapped[str | None] = mapped_column(String(100))
    client_reference: Mapped[str | None] = mapped_column(String(100))
    parent_customer: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    full_name: Mapped[str | None] = mapped_column(String(255))
    full_name_given: Mapped[bool] = mapped_column(Boolean, default=False)
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    name_suffix: Mapped[str | None] = mapped_column(String(40))
    company_name: Mapped[str | None] = mapped_column(String(200))
    name2: Mapped[str | None] = mapped_column(String(200))
    department_name: Mapped[str | None] = mapped_column(String(100))

    date_of_birth: Mapped[date | None] = mapped_column(Date)
    place_of_birth: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(12))
    culture_code: Mapped[str | None] = mapped_column(String(20))
    under_aged: Mapped[bool | None] = mapped_column(Boolean)

    company_type: Mapped[str | None] = mapped_column(String(40))
    vat_number: Mapped[str | None] = mapped_column(String(40))
    gln_number: Mapped[str | None] = mapped_column(String(13))
    nace_code: Mapped[str | None] = mapped_column(String(20))
    domicile: Mapped[str | None] = mapped_column(String(100))
    municipal_code: Mapped[str | None] = mapped_column(String(20))
    property_designation: Mapped[str | None] = mapped_column(String(100))
    housing_association_reg_no: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(40))

    home_phone: Mapped[str | None] = mapped_column(String(30))
    work_phone: Mapped[str | None] = mapped_column(String(30))
    cellular_phone: Mapped[str | None] = mapped_column(String(30))
    telefax: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(255))
    invoice_email_address: Mapped[str | None] = mapped_column(String(60))

    language_code: Mapped[str | None] = mapped_column(String(2))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    preferred_channel: Mapped[str | None] = mapped_column(String(12))
    invoice_channel: Mapped[str | None] = mapped_column(String(12))
    e_invoice_address: Mapped[str | None] = mapped_column(String(100))
    e_invoice_operator: Mapped[str | None] = mapped_column(String(100))

    customer_group: Mapped[str | None] = mapped_column(String(40))
    segment: Mapped[str | None] = mapped_column(String(40))
    customer_type_code: Mapped[str | None] = mapped_column(String(40))
    payment_terms: Mapped[str | None] = mapped_column(String(40))
    delivery_terms: Mapped[str | None] = mapped_column(String(40))
    delivery_method: Mapped[str | None] = mapped_column(String(40))
    posting_group: Mapped[str | None] = mapped_column(String(40))
    price_list: Mapped[str | None] = mapped_column(String(40))
    vat_status: Mapped[str | None] = mapped_column(String(40))
    dimensions: Mapped[dict | None] = mapped_column(JSON)
    rebate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    credit_limit: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    reverse_tax: Mapped[bool | None] = mapped_column(Boolean)
    handling_charge: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    reference_order: Mapped[str | None] = mapped_column(String(100))
    email_order: Mapped[str | None] = mapped_column(String(255))
    reference_offer: Mapped[str | None] = mapped_column(String(100))
    email_offer: Mapped[str | None] = mapped_column(String(255))

    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    # Folded (lower-case, accent-free) names, numbers and contacts for searchWord.
    search_text: Mapped[str | None] = mapped_column(Text)
    reg_date: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    addresses = relationship(
        "Address", back_populates="customer", cascade="all, delete-orphan", passive_deletes=True, order_by="Address.id"
    )

    if TYPE_CHECKING:  # backrefs each record domain declares on its own model
        actions: Mapped[list[Any]]
        bank_accounts: Mapped[list[Any]]
        consents: Mapped[list[Any]]
        contacts: Mapped[list[Any]]
        credit_insurances: Mapped[list[Any]]
        direct_debit_mandates: Mapped[list[Any]]
        external_ids: Mapped[list[Any]]
        extra_fields: Mapped[list[Any]]
        loans: Mapped[list[Any]]
        parameters: Mapped[list[Any]]
        pledges: Mapped[list[Any]]
        related_by: Mapped[list[Any]]
        relations: Mapped[list[Any]]
        user_links: Mapped[list[Any]]


class CustomerDocument(Base):
    """The full customer as GET answers it, rendered when a write commits (document.py); no
    row means "render it live". A table of its own: in the customers row (≈ 3.8 KB of JSON)
    it pushed every row onto overflow pages, and reading the other columns of 1M customers
    (the export) took 1.4× the CPU (SQLite: 13.8 s against 9.7 s; docs/customers.md)."""

    __tablename__ = "customer_documents"

    customer_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    body: Mapped[str] = mapped_column(Text)


class CustomerCsvLine(Base):
    """The customer's line of the CSV export as it was written when its stored document
    was (sync/export.py `line_texts`), so a large export reads one short column instead of
    81. Triggers (migration 0013) delete it whenever the customer row, one of its addresses
    or external ids changes, whoever writes; no row means "format it from the columns"."""

    __tablename__ = "customer_csv_lines"

    customer_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    line_format: Mapped[int] = mapped_column(SmallInteger)  # csv_format.LINE_FORMAT when written
    line: Mapped[str] = mapped_column(Text)


class ChangeLog(Base):
    """Every create, update and delete of a customer, in commit order (the change feed)."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_company_id_id", "company_id", "id"),
        # Compaction (sync/feed.py prune) finds a customer's later entries by this one.
        Index("ix_change_log_company_guid_id", "company_id", "customer_guid", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_number: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(10))  # upsert | delete
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class CustomerAlias(Base):
    """A customer merged into another (issue 26): its old number and GUID lead to the
    survivor (`customers.service.get`, lookups). Gone with the survivor."""

    __tablename__ = "customer_aliases"
    __table_args__ = (
        UniqueConstraint("company_id", "customer_number"),
        UniqueConstraint("company_id", "customer_guid"),
        Index("ix_customer_aliases_survivor_id", "survivor_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    customer_number: Mapped[int] = mapped_column(BigInteger)
    customer_guid: Mapped[uuid.UUID] = mapped_column(Uuid)
    survivor_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("customers.id", ondelete="CASCADE")
    )
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
