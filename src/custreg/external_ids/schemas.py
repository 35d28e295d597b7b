import uuid
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from custreg.errors import Unprocessable
from custreg.fields import RecordFields, clean_text


def _system_id(value: Any) -> Any:
    value = clean_text(value)
    if isinstance(value, str) and value.isdigit():  # Tehden sends "6"
        return int(value)
    return value


SystemId = Annotated[
    Annotated[int, Field(ge=1, le=2**31 - 1)] | None,
    BeforeValidator(_system_id),
    Field(
        description="External system code: 1 Maestro, 2 Posti, 3 Matkahuolto, 4 Checkout Finland, "
        "5 MyCashFlow, 6 WooCommerce, 7 Generic webstore, 22 Generic reservation system, "
        "or one the company configured"
    ),
]
SystemIdentifier = Annotated[
    Annotated[str, Field(max_length=200)] | None,
    BeforeValidator(clean_text),
    Field(description="The customer's identifier in that system"),
]


def missing_half(system_id: Any, identifier: Any) -> tuple[str, str] | None:
    """Both or neither (Tehden): (the missing half, the given half), or None."""
    if (system_id is None) == (identifier is None):
        return None
    if identifier is None:
        return "externalSystemIdentifier", "externalSystemId"
    return "externalSystemId", "externalSystemIdentifier"


def check_pair(system_id: Any, identifier: Any) -> None:
    half = missing_half(system_id, identifier)
    if half is not None:
        raise ValueError(f"{half[0]} is required together with {half[1]}")


def pair(system_id: Any, identifier: Any) -> tuple[int, str] | None:
    """The pair of a request, or None; half a pair → 422 naming the missing half."""
    half = missing_half(system_id, identifier)
    if half is not None:
        raise Unprocessable(
            f"{half[0]} is required together with {half[1]}",
            [{"field": half[0], "message": f"required together with {half[1]}"}],
        )
    return (system_id, identifier) if system_id is not None else None


class ExternalIdFields(RecordFields):
    externalIdGuid: uuid.UUID | None = Field(None, description="Ignored on write")
    externalSystemId: SystemId = None
    externalSystemIdentifier: SystemIdentifier = None

    @model_validator(mode="after")
    def _pair(self):
        if self.externalSystemId is None and self.externalSystemIdentifier is None:
            raise ValueError("externalSystemId and externalSystemIdentifier are required")
        check_pair(self.externalSystemId, self.externalSystemIdentifier)
        return self


class ExternalIdRead(ExternalIdFields):
    model_config = ConfigDict(extra="ignore")
    read_only = frozenset()

    externalIdGuid: uuid.UUID
    externalSystemId: int
    externalSystemIdentifier: str
