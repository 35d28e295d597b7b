from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from custreg.fields import check_country, clean_text
from custreg.paging import NextLink


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cuid: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,40}$", description="Company id: 1-40 of a-z 0-9 -")]
    name: Annotated[str, Field(min_length=1, max_length=200, description="Company name")]
    countryCode: Annotated[str, Field(description="ISO 3166-1 alpha-2 country; the default for its customers")]
    businessId: str | None = Field(None, max_length=40, description="Business ID of the company")

    _clean = field_validator("name", "businessId", mode="before")(clean_text)
    _country = field_validator("countryCode")(check_country)


class CompanyRead(BaseModel):
    cuid: str = Field(description="Company id")
    name: str = Field(description="Company name")
    countryCode: str = Field(description="ISO 3166-1 alpha-2 country")
    businessId: str | None = Field(None, description="Business ID")
    createdAt: datetime = Field(description="When the company was created")

    @classmethod
    def of(cls, c) -> "CompanyRead":
        return cls(
            cuid=c.cuid, name=c.name, countryCode=c.country_code, businessId=c.business_id, createdAt=c.created_at
        )


class CompanyList(BaseModel):
    count: int
    skip: int
    total: int
    value: list[CompanyRead]
    nextLink: NextLink = None
