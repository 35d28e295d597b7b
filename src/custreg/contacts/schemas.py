import datetime as dt
import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from custreg.fields import Language, RecordFields, Text


class ContactFields(RecordFields):
    contactGuid: Annotated[uuid.UUID | None, Field(None, description="Ignored on write: the path's id wins")]

    name: Text(255, "Contact person's name")
    title: Text(100, "Title, e.g. CFO")
    role: Text(100, "Role, e.g. invoicing")
    phone: Text(30, "Phone, stored in E.164 (national input read with the customer's country)")
    email: Text(255, "E-mail address")
    languageCode: Language
    isDefault: Annotated[bool | None, Field(None, description="The customer's default contact")]
    notes: Text(4000, "Free notes")


class ContactRead(ContactFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    contactGuid: uuid.UUID  # type: ignore[assignment]
    isDefault: bool = False
    lastUpdatedAt: dt.datetime | None = None
