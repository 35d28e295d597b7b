from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class PartyParameter(Base):
    """A named party parameter of a customer (seed 002): name, type, value."""

    __tablename__ = "party_parameters"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer",
        backref=backref(
            "parameters", cascade="all, delete-orphan", passive_deletes=True, order_by="PartyParameter.name"
        ),
    )


class ExtraField(Base):
    """A named extra field of a customer (seed 002): a list of strings."""

    __tablename__ = "extra_fields"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[list | None] = mapped_column(JSON)
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer",
        backref=backref("extra_fields", cascade="all, delete-orphan", passive_deletes=True, order_by="ExtraField.name"),
    )
