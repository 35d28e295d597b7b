from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

CustomerKey = Annotated[str, Field(min_length=1, max_length=40, description="A customer number or GUID")]


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: list[CustomerKey] = Field(
        alias="from", min_length=1, max_length=20, description="The customers merged into the survivor"
    )
    fields: dict[str, CustomerKey] = Field(
        default_factory=dict,
        max_length=100,
        description="Customer field → the customer (survivor or one of `from`) whose value the survivor takes",
    )
    ifMatch: dict[CustomerKey, str] = Field(
        default_factory=dict,
        max_length=21,
        description="Customer → the ETag it must still have (the survivor's may come as the `If-Match` header)",
    )
