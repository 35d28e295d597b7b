"""Helpers between API camelCase names and ORM columns."""

import re
from functools import lru_cache

from sqlalchemy import Boolean, Date, Float, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import InstrumentedAttribute

from custreg.db.base import UTCDateTime
from custreg.odata import FilterField


@lru_cache(maxsize=4096)
def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def kind_of(attr: InstrumentedAttribute) -> str:
    t = attr.property.columns[0].type
    for cls, kind in (
        (UTCDateTime, "datetime"),
        (Boolean, "bool"),
        (Date, "date"),
        (Uuid, "uuid"),
        (Float, "float"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (String, "str"),
        (Text, "str"),
    ):
        if isinstance(t, cls):
            return kind
    raise TypeError(f"no filter kind for {t!r}")


def filter_fields(model, names) -> dict[str, FilterField]:
    """Whitelist of API names → columns of `model` (names must map to columns)."""
    out = {}
    for name in names:
        attr = getattr(model, snake(name))
        out[name] = FilterField(attr, kind_of(attr))
    return out
