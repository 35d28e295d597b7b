"""Field types shared by the financial and relationship records: integer and code
enums whose error lists the allowed values, and dates that also accept a date-time."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from custreg.fields import clean_text

INT32_MAX = 2**31 - 1
_NUMBER = PlainSerializer(lambda d: float(d) if d is not None else None, return_type=float | None, when_used="json")


def describe_ints(choices: dict[int, str]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in choices.items())


def int_choice(choices: dict[int, str]) -> Callable[[Any], Any]:
    """Accept one of `choices` by its integer or by its name (case-insensitive); store the integer."""
    by_name = {v.lower(): k for k, v in choices.items()}

    def check(value: Any) -> Any:
        value = clean_text(value)
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError(f"must be one of {describe_ints(choices)}")
        if isinstance(value, str):
            key = value.strip()
            if key.lower() in by_name:
                return by_name[key.lower()]
            try:
                value = int(key)
            except ValueError:
                raise ValueError(f"must be one of {describe_ints(choices)}") from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or value not in choices:
            raise ValueError(f"must be one of {describe_ints(choices)}")
        return value

    return check


@dataclass(frozen=True, slots=True)
class Choice(BeforeValidator):
    """The validator of an enum field, naming its allowed values (value, label): a form
    lists them (ui/record_forms.py)."""

    choices: tuple[tuple[str, str], ...] = ()


def IntChoice(choices: dict[int, str]) -> BeforeValidator:
    """An integer enum (`Annotated[int | None, IntChoice(choices)]`); an unknown value is a
    422 that lists the allowed ones. `describe_ints` gives the text for the description."""
    return Choice(int_choice(choices), choices=tuple((str(k), f"{k} {v}") for k, v in choices.items()))


def code_choice(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        value = clean_text(value)
        if value is None:
            return None
        if not isinstance(value, str) or value.upper() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value.upper()

    return check


def CodeChoice(choices: tuple[str, ...]) -> BeforeValidator:
    """A string enum (`Annotated[str | None, CodeChoice(choices)]`): case-insensitive in,
    upper-case out; unknown → 422 listing the allowed ones."""
    return Choice(code_choice(choices), choices=tuple((c, c) for c in choices))


def _date(value: Any) -> Any:
    """`YYYY-MM-DD`, or a date-time whose date part is taken (the seed sends date-times)."""
    value = clean_text(value)
    if isinstance(value, str) and len(value) > 10 and value[10] in "Tt ":
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")).date()
        except ValueError:
            return value
    return value


def _datetime(value: Any) -> Any:
    value = clean_text(value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
        except ValueError:
            return value
    return value


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError("date-time out of range") from None
    return value


# Field types; the description and the default go with the field
# (`name: Date = Field(None, description="...")`), so that type checkers see the default.
Date = Annotated[dt.date | None, BeforeValidator(_date)]
# A date-time; a plain date means its midnight UTC; a naive time is taken as UTC.
DateTime = Annotated[dt.datetime | None, BeforeValidator(_datetime), AfterValidator(_aware)]
# A non-negative money amount with two decimals (JSON number out).
Amount = Annotated[Decimal | None, _NUMBER, Field(ge=0, max_digits=18, decimal_places=2)]
Count = Annotated[int | None, Field(ge=0, le=INT32_MAX)]
