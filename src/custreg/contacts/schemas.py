import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from custreg.fields import Language, RecordFields, Text


class ContactFields(RecordFields):
    contactGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")

    name: Text = Field(None, max_length=255, description="Contact person's name")
    title: Text = Field(None, max_length=100, description="Title, e.g. CFO")
    role: Text = Field(None, max_length=100, description="Role, e.g. invoicing")
    phone: Text = Field(
        None, max_length=30, description="Phone, stored in E.164 (national input read with the customer's country)"
    )
    email: Text = Field(None, max_length=255, description="E-mail address")
    languageCode: Language = None
    isDefault: bool | None = Field(None, description="The customer's default contact")
    notes: Text = Field(None, max_length=4000, description="Free notes")


class ContactRead(ContactFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()  # a read shape keeps every field

    contactGuid: uuid.UUID
    isDefault: bool = False
    lastUpdatedAt: dt.datetime | None = None
