from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from custreg.fields import clean_text


def _code(value):
    value = clean_text(value)
    return value.upper() if isinstance(value, str) else value


CodeText = Annotated[
    str,
    BeforeValidator(_code),
    Field(min_length=1, max_length=40, pattern=r"^[^\s]+$", description="The code (stored upper-case)"),
    # All three constraints hold both ways; pydantic showed the lengths only on input and the
    # pattern only on output, which made two components both titled CodeItem (issue 22).
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 40, "pattern": r"^[^\s]+$"}),
]
NameText = Annotated[str, BeforeValidator(clean_text), Field(min_length=1, max_length=200, description="Display name")]


class CodeItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: CodeText
    name: NameText


class DimensionItem(CodeItem):
    values: list[CodeItem] = Field(default_factory=list, max_length=1000, description="The dimension's value codes")


class BasicDetails(BaseModel):
    customerGroups: list[CodeItem]
    segments: list[CodeItem]
    customerTypes: list[CodeItem]
    dimensions: list[DimensionItem]
    postingGroups: list[CodeItem]
    deliveryTerms: list[CodeItem]
    deliveryMethods: list[CodeItem]
    paymentTerms: list[CodeItem]
    priceLists: list[CodeItem]
    vatStatuses: list[CodeItem]
    addressTypes: list[CodeItem]
    relationRoles: list[CodeItem]
    externalSystems: list[CodeItem]
    consentChannels: list[CodeItem]


class RegisterSettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uniqueIdentityNumbers: bool | None = Field(
        None, description="Personal and business identity numbers unique within the company (default true)"
    )
    financialRetentionYears: int | None = Field(
        None, ge=0, le=100, description="Years after the last financial record during which erasure is refused"
    )

    def changes(self) -> dict[str, Any]:
        """The fields sent (not null), by the settings' column names (register.service.update_settings)."""
        names = {
            "uniqueIdentityNumbers": "unique_identity_numbers",
            "financialRetentionYears": "financial_retention_years",
        }
        return {names[k]: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class RegisterSettingsRead(BaseModel):
    uniqueIdentityNumbers: bool = Field(description="Identity numbers unique within the company")
    financialRetentionYears: int = Field(description="Years after the last financial record erasure waits")

    @classmethod
    def of(cls, s) -> "RegisterSettingsRead":
        return cls(uniqueIdentityNumbers=s.unique_identity_numbers, financialRetentionYears=s.financial_retention_years)
