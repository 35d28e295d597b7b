from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path

from custreg.access.context import ReadCtx, RegisterAdminCtx
from custreg.db.execution import TransactionalRoute
from custreg.register import service
from custreg.register.defaults import CATEGORIES
from custreg.register.schemas import BasicDetails, CodeItem, DimensionItem

router = APIRouter(prefix="/v1/companies/{cuid}/basic-details", tags=["register configuration"],
                   route_class=TransactionalRoute)

Category = Literal[CATEGORIES]  # type: ignore[valid-type]


@router.get("", response_model=BasicDetails)
def get_basic_details(ctx: ReadCtx) -> BasicDetails:
    """The company's register configuration: every category of codes."""
    return BasicDetails.model_validate(service.basic_details(ctx.session, ctx.company))


@router.put("/{category}", response_model=BasicDetails)
def replace_category(
    ctx: RegisterAdminCtx,
    category: Annotated[Category, Path(description="Which category to replace")],
    items: Annotated[list[DimensionItem] | list[CodeItem], Body(max_length=1000)],
) -> BasicDetails:
    """Replace one category (scope `register:admin`). Removing a code in use → 409."""
    data = [i.model_dump() for i in items]
    if category != "dimensions":
        data = [{"code": d["code"], "name": d["name"]} for d in data]
    service.replace_category(ctx.session, ctx.company, category, data)
    return BasicDetails.model_validate(service.basic_details(ctx.session, ctx.company))


def _install() -> None:
    from custreg.customers import service as customers

    if service.check_customer_codes not in customers.APPLY_HOOKS:
        customers.APPLY_HOOKS.append(service.check_customer_codes)
    service.install_usage_counters()


_install()
