from fastapi import APIRouter

from custreg.access.context import CustomerPath, EraseCtx, ReadCtx
from custreg.customers import service as customers
from custreg.db.routing import TransactionalRoute
from custreg.etags import IfMatch
from custreg.privacy import export, service
from custreg.privacy.schemas import EraseRequest, ErasureRead, SubjectExport

router = APIRouter(prefix="/v1/companies/{cuid}/customers", tags=["privacy"], route_class=TransactionalRoute)


@router.post("/{customer}/erase", response_model=ErasureRead)
def erase_customer(customer: CustomerPath, body: EraseRequest, ctx: EraseCtx, if_match: IfMatch = None) -> ErasureRead:
    """Erase the person's personal data everywhere (scope `privacy:erase`, docs/privacy.md);
    the number, the fact of erasure and financial records stay. 409 naming the retention rule
    that holds (an active mandate, insurance or pledge; the financial retention period)."""
    c = customers.get(ctx.session, ctx.company, customer, for_update=True)
    customers.check_if_match(c, if_match)
    done = service.erase(ctx.session, ctx.company, c, actor=ctx.actor, reason=body.reason)
    return ErasureRead(
        customerNumber=done.customer_number,
        customerGuid=done.customer_guid,
        erasedAt=done.at,
        erasedBy=done.actor,
        reason=done.reason,
    )


@router.get("/{customer}/subject-export", response_model=SubjectExport)
def subject_export(customer: CustomerPath, ctx: ReadCtx) -> SubjectExport:
    """Everything custreg holds about the customer as one JSON document: every field and
    record, the consents' history, the audit trail, aliases of merged customers, erasures."""
    c = customers.get(ctx.session, ctx.company, customer)
    return export.subject_export(ctx.session, ctx.company, c)
