import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from custreg.choices import DateTime
from custreg.fields import Code, RecordFields, Text


class ConsentFields(RecordFields):
    channel: Code = Field(
        None,
        max_length=20,
        description="Marketing channel, a code of the company's consentChannels "
        "(EMAIL, SMS, PHONE, POST, PROFILING to begin with); on PUT the path's wins",
    )
    # A JSON boolean only: "yes", "no", 1, "true" are refused, not read as a consent (docs/customers.md).
    granted: Annotated[
        bool, Field(strict=True, description="true: permission given; false: withdrawn or refused (a JSON boolean)")
    ]
    source: Text = Field(
        None, max_length=200, description="Where the permission was given or withdrawn, e.g. 'webshop signup'"
    )
    grantedAt: DateTime = Field(
        None, description="When the customer gave or withdrew it; the time of the request when not given"
    )


class ConsentRead(ConsentFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    channel: str
    grantedAt: dt.datetime
    lastUpdatedAt: dt.datetime | None = None


class ConsentChangeRead(BaseModel):
    """One change of a consent, as kept in `/consents/{channel}/history`."""

    channel: str
    change: str = Field(description="GRANTED, WITHDRAWN or DELETED")
    granted: bool | None = Field(description="The state after the change (null: deleted)")
    source: str | None
    grantedAt: dt.datetime | None = Field(description="When the customer gave or withdrew it")
    changedAt: dt.datetime = Field(description="When the register recorded the change")
    changedBy: str | None = Field(description="Who made the change (client or user)")
