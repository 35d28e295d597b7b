import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class CustomerRelation(Base):
    """`customer` → `related`: the related customer holds `role_code` for the customer
    (GUARANTOR: the related customer guarantees for the customer)."""

    __tablename__ = "customer_relations"
    __table_args__ = (
        UniqueConstraint("customer_id", "related_customer_id", "role_code"),
        Index("ix_customer_relations_related_customer_id", "related_customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    relation_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    related_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    # The related customer's GUID (never changes), kept for $filter and reads without a join.
    related_customer: Mapped[uuid.UUID] = mapped_column(Uuid)
    role_code: Mapped[str] = mapped_column(String(40))
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # `Customer.relations` (recorded on the customer) and `Customer.related_by` (recorded on
    # another customer, naming this one) are declared here so customers need not know us.
    customer = relationship(
        "Customer",
        foreign_keys=[customer_id],
        backref=backref(
            "relations",
            cascade="all, delete-orphan",
            passive_deletes=True,
            order_by="CustomerRelation.id",
            foreign_keys=[customer_id],
        ),
    )
    related = relationship(
        "Customer",
        foreign_keys=[related_customer_id],
        backref=backref(
            "related_by",
            cascade="all, delete-orphan",
            passive_deletes=True,
            order_by="CustomerRelation.id",
            foreign_keys=[related_customer_id],
        ),
    )
