import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from custreg.choices import DateTime
from custreg.fields import Code, RecordFields, Text, clean_text


def _upper(value):
    value = clean_text(value)
    return value.upper() if isinstance(value, str) else value


ResponseCode = Annotated[str, BeforeValidator(_upper), Field(min_length=1, max_length=40)]
ANSWER_FIELDS = frozenset({"response", "responseNote", "postponeTo", "respondedAt", "respondedBy"})


class ActionFields(RecordFields):
    # The answer and loggedAt are set by the service; a GET body may be sent back.
    read_only = RecordFields.read_only | ANSWER_FIELDS | {"loggedAt"}

    actionGuid: uuid.UUID | None = Field(None, description="Ignored on write: the path's id wins")
    actionItemCode: Code = Field(None, max_length=40, description="Code of the question")
    message: Text = Field(None, max_length=4000, description="The question to the customer")
    processAt: DateTime = Field(None, description="When the question is to be asked")
    allowPostpone: bool | None = Field(None, description="May the customer postpone (default false)")
    actionCategoryCode: Code = Field(None, max_length=40, description="Category code")
    actionCategoryDescription: Text = Field(None, max_length=200, description="Category description")
    responses: Annotated[
        list[ResponseCode],
        Field(min_length=1, max_length=50, description="The response codes the customer may answer with"),
    ]

    @field_validator("responses")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class ActionRead(ActionFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    actionGuid: uuid.UUID
    allowPostpone: bool = False
    loggedAt: dt.datetime
    response: str | None = Field(None, description="The answer given (one of responses)")
    responseNote: str | None = Field(None, description="The customer's note with the answer")
    postponeTo: dt.datetime | None = Field(None, description="Postponed to (when allowPostpone)")
    respondedAt: dt.datetime | None = Field(None, description="When the answer was recorded")
    respondedBy: str | None = Field(None, description="Who recorded the answer (client or user)")
    lastUpdatedAt: dt.datetime | None = None


class ActionResponse(BaseModel):
    """Body of POST /actions/{actionGuid}/response."""

    model_config = ConfigDict(extra="forbid")

    response: Code = Field(None, max_length=40, description="One of the action's response codes")
    note: Text = Field(None, max_length=4000, description="Note or message from the customer")
    postponeTo: DateTime = Field(None, description="Postpone to (only when the action allows postponing)")
