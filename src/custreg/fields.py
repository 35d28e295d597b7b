"""Field cleaning shared by every schema: trimming, empty = null, ISO codes."""

import re
from typing import Annotated, Any, ClassVar

import pycountry
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # below 32, except \t \n \r


def clean_text(value: Any) -> Any:
    """Trim strings, turn '' into None, refuse NUL and other control characters."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if _CONTROL.search(value) is not None:
            raise ValueError("must not contain control characters")
    return value


def _upper(value: Any) -> Any:
    value = clean_text(value)
    return value.upper() if isinstance(value, str) else value


def check_country(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a string")
    value = value.upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return value


def check_language(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a string")
    value = value.lower()
    if len(value) != 2 or pycountry.languages.get(alpha_2=value) is None:
        raise ValueError("not an ISO 639-1 language code")
    return value


def check_currency(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a string")
    value = value.upper()
    if len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
        raise ValueError("not an ISO 4217 currency code")
    return value


# Field types. The length limit, the description and the default go with the field
# (`name: Text = Field(None, max_length=100, description="...")`), so that type checkers
# see both the type and the default.
Text = Annotated[str | None, BeforeValidator(clean_text)]  # trimmed; '' is None
Code = Annotated[str | None, BeforeValidator(_upper)]  # trimmed and upper-cased
Country = Annotated[
    str | None,
    BeforeValidator(lambda v: check_country(clean_text(v))),
    Field(description="ISO 3166-1 alpha-2 country code", examples=["FI"]),
]
Language = Annotated[
    str | None,
    BeforeValidator(lambda v: check_language(clean_text(v))),
    Field(description="ISO 639-1 language code", examples=["fi"]),
]
Currency = Annotated[
    str | None,
    BeforeValidator(lambda v: check_currency(clean_text(v))),
    Field(description="ISO 4217 currency code", examples=["EUR"]),
]


class RecordFields(BaseModel):
    """Base of a record's write schema: unknown fields are refused, but what a GET of the
    record returns (its links and timestamps) may be sent back and is ignored.
    A read shape derived from a write schema sets `read_only = frozenset()`."""

    model_config = ConfigDict(extra="forbid")
    read_only: ClassVar[frozenset[str]] = frozenset({"links", "lastUpdatedAt", "href", "validatedAt"})

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in cls.read_only}
        return data
