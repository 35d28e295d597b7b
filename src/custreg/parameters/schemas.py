import datetime as dt
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field

from custreg.fields import RecordFields, Text, clean_text


def _strip_items(value):
    """Each value trimmed; control characters refused (as in every other text field)."""
    if isinstance(value, list):
        return [(clean_text(v) or "") if isinstance(v, str) else v for v in value]
    return value


class ParameterFields(RecordFields):
    name: Text = Field(None, max_length=100, description="Name of the party parameter; on PUT the path's name wins")
    type: Text = Field(None, max_length=40, description="Type of the party parameter, e.g. STRING, INTEGER, DATE")
    value: Text = Field(None, max_length=4000, description="The value of the party parameter")


class ParameterRead(ParameterFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    name: str
    lastUpdatedAt: dt.datetime | None = None


class ExtraFieldFields(RecordFields):
    name: Text = Field(None, max_length=100, description="Name of the extra field; on PUT the path's name wins")
    value: Annotated[
        Annotated[list[Annotated[str, Field(max_length=1000)]], Field(max_length=100)] | None,
        BeforeValidator(_strip_items),
    ] = Field(None, description="The values (an array of at most 100 strings)")


class ExtraFieldRead(ExtraFieldFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    name: str
    value: list[str] = Field([])
    lastUpdatedAt: dt.datetime | None = None
