from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Response

from custreg import etags
from custreg.access.context import ReadCtx, RegisterAdminCtx
from custreg.db.routing import TransactionalRoute
from custreg.register import service
from custreg.register.defaults import CATEGORIES
from custreg.register.schemas import BasicDetails, CodeItem, DimensionItem, RegisterSettingsPatch, RegisterSettingsRead

router = APIRouter(
    prefix="/v1/companies/{cuid}/basic-details", tags=["register configuration"], route_class=TransactionalRoute
)

# Built from the defaults' keys at run time (FastAPI validates the path with it and lists it
# in OpenAPI); a checker only sees a tuple of str there.
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


@router.get("", response_model=BasicDetails)
def get_basic_details(ctx: ReadCtx, response: Response) -> BasicDetails:
    """The company's register configuration: every category of codes. Sends an `ETag`."""
    return _tagged(ctx, response)


def _tagged(ctx, response: Response) -> BasicDetails:
    details = BasicDetails.model_validate(service.basic_details(ctx.session, ctx.company))
    response.headers["ETag"] = etags.of_model(details)
    return details


@router.get("/settings", response_model=RegisterSettingsRead)
def get_register_settings(ctx: ReadCtx) -> RegisterSettingsRead:
    """The company's register rules: identity numbers unique, the financial retention period."""
    return RegisterSettingsRead.of(service.settings(ctx.session, ctx.company.id))


@router.patch("/settings", response_model=RegisterSettingsRead)
def patch_register_settings(ctx: RegisterAdminCtx, body: RegisterSettingsPatch) -> RegisterSettingsRead:
    """Change the register rules (scope `register:admin`); only the fields sent change."""
    return RegisterSettingsRead.of(service.update_settings(ctx.session, ctx.company, body.changes()))


@router.put("/{category}", response_model=BasicDetails)
def replace_category(
    ctx: RegisterAdminCtx,
    category: Annotated[Category, Path(description="Which category to replace")],
    items: Annotated[list[DimensionItem] | list[CodeItem], Body(max_length=1000)],
    response: Response,
    if_match: etags.IfMatch = None,
) -> BasicDetails:
    """Replace one category (scope `register:admin`). Removing a code in use → 409.
    `If-Match`: the `ETag` of the whole configuration as GET sent it."""
    service.replace_category(ctx.session, ctx.company, category, [i.model_dump() for i in items], if_match)
    return _tagged(ctx, response)
