"""List query parameters and the `{count, skip, total, value}` envelope."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

MAX_TOP = 100
MAX_SKIP = 2**63 - 1  # an OFFSET past BIGINT cannot even be bound: 400, not a 500
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    count: int = Field(description="Items in this page")
    skip: int = Field(description="Items skipped before this page")
    total: int = Field(description="Items matching the query")
    value: list[T]


class ListParams(BaseModel):
    filter: str | None = None
    orderby: str | None = None
    top: int = 25
    skip: int = 0


async def list_params(
    filter: Annotated[
        str | None, Query(alias="$filter", max_length=4000, description="OData filter, e.g. `lastName eq 'Virtanen'`")
    ] = None,
    orderby: Annotated[
        str | None, Query(alias="$orderby", max_length=1000, description="e.g. `lastName desc,firstName`")
    ] = None,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP, description="Page size, max 100")] = 25,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP, description="Offset")] = 0,
) -> ListParams:
    return ListParams(filter=filter, orderby=orderby, top=top, skip=skip)
