import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from custreg.db.base import Base, UTCDateTime, utcnow


class CustomerAction(Base):
    """A question to the customer with its allowed responses, and the answer once given."""

    __tablename__ = "customer_actions"
    __table_args__ = (Index("ix_customer_actions_customer_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    action_guid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    process_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_item_code: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    allow_postpone: Mapped[bool] = mapped_column(Boolean, default=False)
    action_category_code: Mapped[str | None] = mapped_column(String(40))
    action_category_description: Mapped[str | None] = mapped_column(String(200))
    responses: Mapped[list] = mapped_column(JSON)
    # The answer (POST /actions/{guid}/response): what, a note, a postponement, who and when.
    response: Mapped[str | None] = mapped_column(String(40))
    response_note: Mapped[str | None] = mapped_column(Text)
    postpone_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by: Mapped[str | None] = mapped_column(String(200))
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer = relationship(
        "Customer",
        backref=backref("actions", cascade="all, delete-orphan", passive_deletes=True, order_by="CustomerAction.id"),
    )
