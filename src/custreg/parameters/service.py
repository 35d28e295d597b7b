"""Party parameters and extra fields: named records, created or replaced by PUT."""

from typing import Any

from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.customers.models import Customer
from custreg.errors import field_error
from custreg.fields import clean_text
from custreg.parameters.models import ExtraField, PartyParameter
from custreg.parameters.schemas import ExtraFieldFields, ExtraFieldRead, ParameterFields, ParameterRead
from custreg.records import RecordKind, to_dict


def name_key(value: Any) -> str:
    """A record name: trimmed, 1-100 characters, no control characters; case kept."""
    try:
        name = clean_text(value)
    except ValueError as e:
        raise field_error("name", str(e)) from None
    if not isinstance(name, str) or not name:
        raise field_error("name", "is required")
    if len(name) > 100:
        raise field_error("name", "must be at most 100 characters")
    return name


def extra_field_rule(session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    values["value"] = values.get("value") or []  # no values: an empty array, never null
    return values


PARAMETERS = RecordKind(
    model=PartyParameter,
    path="parameters",
    id_field="name",
    write_schema=ParameterFields,
    read_schema=ParameterRead,
    title="parameter",
    key=name_key,
)
EXTRA_FIELDS = RecordKind(
    model=ExtraField,
    path="extra-fields",
    id_field="name",
    write_schema=ExtraFieldFields,
    read_schema=ExtraFieldRead,
    title="extra field",
    key=name_key,
    rule=extra_field_rule,
)


# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_parameters() -> LoaderOption:
    return selectinload(Customer.parameters)


def load_extra_fields() -> LoaderOption:
    return selectinload(Customer.extra_fields)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {
        "parameters": [to_dict(PARAMETERS, p) for p in c.parameters],
        "extraFields": [to_dict(EXTRA_FIELDS, f) for f in c.extra_fields],
    }
