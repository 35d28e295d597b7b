import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base


class ExternalId(Base):
    """A customer's identifier in another system (Tehden's externalsystem_id + identifier)."""

    __tablename__ = "external_ids"
    __table_args__ = (
        # One customer per identifier of a system within a company.
        UniqueConstraint("company_id", "external_system_id", "external_system_identifier"),
        Index("ix_external_ids_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    external_id_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    external_system_id: Mapped[int] = mapped_column(Integer)
    external_system_identifier: Mapped[str] = mapped_column(String(200))

    customer = relationship(
        "Customer",
        backref=backref("external_ids", cascade="all, delete-orphan", passive_deletes=True, order_by="ExternalId.id"),
    )
