"""List query parameters and the `{count, skip, total, value, nextLink}` envelope."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

MAX_TOP = 100
MAX_SKIP = 2**63 - 1  # an OFFSET past BIGINT cannot even be bound: 400, not a 500
T = TypeVar("T")


# Absent, not null, on the last page: envelopes read before nextLink stay as they were.
NextLink = Annotated[
    str | SkipJsonSchema[None],
    Field(
        exclude_if=lambda link: link is None,
        description="The next page: this request's path and options with `$skip` advanced; absent on the last",
    ),
]


class Page(BaseModel, Generic[T]):
    count: int = Field(description="Items in this page")
    skip: int = Field(description="Items skipped before this page")
    total: int = Field(description="Items matching the query")
    value: list[T]
    nextLink: NextLink = None


class ListParams(BaseModel):
    filter: str | None = None
    orderby: str | None = None
    top: int = 25
    skip: int = 0
    path: str | None = None  # the request's path and query, for nextLink (None outside HTTP)

    def next_link(self, count: int, total: int) -> str | None:
        """The URL of the next page when more rows follow this one's `count`, else None."""
        if self.path is None or count == 0 or self.skip + count >= total:
            return None
        return next_link(self.path, self.skip + count)


def next_link(path_and_query: str, skip: int) -> str:
    """`path_and_query` with `$skip` set to `skip` (the other options kept, in order)."""
    path, _, query = path_and_query.partition("?")
    parts = [p for p in query.split("&") if p and p.split("=", 1)[0] not in ("$skip", "%24skip")]
    return f"{path}?{'&'.join([*parts, f'$skip={skip}'])}"


async def list_params(
    request: Request,
    filter: Annotated[
        str | None, Query(alias="$filter", max_length=4000, description="OData filter, e.g. `lastName eq 'Virtanen'`")
    ] = None,
    orderby: Annotated[
        str | None, Query(alias="$orderby", max_length=1000, description="e.g. `lastName desc,firstName`")
    ] = None,
    top: Annotated[int, Query(alias="$top", ge=0, le=MAX_TOP, description="Page size, max 100")] = 25,
    skip: Annotated[int, Query(alias="$skip", ge=0, le=MAX_SKIP, description="Offset")] = 0,
) -> ListParams:
    return ListParams(filter=filter, orderby=orderby, top=top, skip=skip, path=path_of(request))


def path_of(request: Request) -> str:
    """The request's path and query, what `nextLink` is made of."""
    url = request.url
    return f"{url.path}?{url.query}" if url.query else url.path
