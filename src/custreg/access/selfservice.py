"""Self-service (seed 004, "Connect"): an end user's own customer info, and the
customers' `attachedUsers` that decide which customers a user may see."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg import records
from custreg.access.context import SelfCtx
from custreg.access.models import CustomerUser
from custreg.companies.models import Company
from custreg.contacts.service import CONTACTS
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.shape import organisation_name
from custreg.customers.validation import normalize_email
from custreg.db.columns import snake
from custreg.db.routing import TransactionalRoute
from custreg.errors import BadRequest, Conflict, FieldErrors, NotFound, Unprocessable
from custreg.fields import Text

# --- attachedUsers on the customer (create/PUT/PATCH, full GET), registered by custreg.bootstrap


def set_attached_users(session: Session, customer: Customer, users: list[str]) -> None:
    wanted = list(dict.fromkeys(users))
    current = {link.user_id: link for link in customer.user_links}
    for user_id, link in current.items():
        if user_id not in wanted:
            customer.user_links.remove(link)
            if inspect(link).persistent:
                session.delete(link)  # explicit, so the audit trail sees the removal
    for user_id in wanted:
        if user_id not in current:
            customer.user_links.append(CustomerUser(user_id=user_id))


def _apply_hook(session: Session, company: Company, customer: Customer, v: dict[str, Any]) -> None:
    # PUT: missing → cleared; PATCH: only when sent. A create attaches them once written (on_created).
    if "attachedUsers" in v and customer.id is not None:
        set_attached_users(session, customer, v.get("attachedUsers") or [])


def on_created(session: Session, company: Company, created, v: dict[str, Any]) -> None:
    if v.get("attachedUsers"):
        set_attached_users(session, session.get_one(Customer, created.id), v["attachedUsers"])


def load_user_links() -> LoaderOption:
    return selectinload(Customer.user_links)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"attachedUsers": [link.user_id for link in c.user_links]}


# --- GET/POST /v1/customer/info -----------------------------------------------------

PhoneType = Literal["MOBILE", "HOME", "WORK", "FAX"]
PHONE_FIELD = {"MOBILE": "cellularPhone", "HOME": "homePhone", "WORK": "workPhone", "FAX": "telefax"}
UNTYPED = ("cellularPhone", "homePhone", "workPhone")  # where a number without a type goes
# Several e-mails (seed 004): the first is the customer's `email`; each further one is kept
# as a contact of the customer with this role (docs/compat.md, Connect).
EMAIL_ROLE = "EMAIL"
MAX_EMAILS = 10


class InfoName(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firstName: Text = Field(None, max_length=100, description="First name")
    middleName: Text = Field(None, max_length=100, description="Middle name")
    lastName: Text = Field(
        None, max_length=100, description="Last name; lastName or companyName is required when a name is sent"
    )
    companyName: Text = Field(None, max_length=200, description="Organisation name")


class InfoPhoneNumber(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: PhoneType | None = Field(
        None, description=("MOBILE, HOME, WORK or FAX; when omitted the first free of MOBILE, HOME, WORK")
    )
    number: Text = Field(None, max_length=30, description="The number; stored in E.164")


class InfoWrite(BaseModel):
    """POST replaces: a field not sent becomes null."""

    model_config = ConfigDict(extra="forbid")

    name: InfoName | None = None
    phoneNumbers: list[InfoPhoneNumber] | None = Field(None, max_length=4)
    emails: list[Annotated[str, Field(max_length=255)]] | None = Field(
        None,
        max_length=MAX_EMAILS,
        description="E-mail addresses: the first is the customer's `email`, each further one a contact "
        f"with role {EMAIL_ROLE}",
    )
    invoiceEmailAddress: Text = Field(
        None, max_length=60, description="E-mail address for e-mail invoices, at most 60 characters"
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        # What GET returns may be posted back: its read-only parts are ignored.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in ("customerNumber", "attachedUsers", "company")}
        return data


class AttachedUser(BaseModel):
    userId: str


class CustomerInfo(BaseModel):
    customerNumber: int
    company: str = Field(description="cuid of the customer's company")
    name: InfoName
    phoneNumbers: list[InfoPhoneNumber]
    emails: list[str]
    invoiceEmailAddress: str | None = None
    attachedUsers: list[AttachedUser]


class Success(BaseModel):
    success: bool = True


router = APIRouter(prefix="/v1/customer", tags=["self-service"], route_class=TransactionalRoute)

CompanyQ = Annotated[
    str | None,
    Query(
        alias="company",
        max_length=40,
        description=(
            "cuid; optional: a user reaches the customers of one company only (its token's company "
            "claim, else the company that attached it first); another company → 404"
        ),
    ),
]
NumberQ = Annotated[
    int | None,
    Query(
        alias="customerNumber",
        ge=1,
        le=2**62,
        description=("needed only when the user is attached to several customers"),
    ),
]


def _mine(ctx, cuid: str | None, number: int | None, *, lock: bool = False) -> tuple[Customer, Company]:
    """The one customer this user is attached to, within the user's one company: the one its
    token names, else the company that attached the user id first (so another company's
    attachments of the same id change nothing for this user); narrowed by the query."""
    user = ctx.principal.subject
    stmt = (
        select(Customer, Company)
        .join(CustomerUser, CustomerUser.customer_id == Customer.id)
        .join(Company, Company.id == Customer.company_id)
        .where(CustomerUser.user_id == user)
        .order_by(Customer.customer_number)
        .limit(2)
    )
    claimed = ctx.principal.companies
    if claimed:
        stmt = stmt.where(Company.cuid.in_(claimed))
    else:
        first = (
            select(Customer.company_id)
            .join(CustomerUser, CustomerUser.customer_id == Customer.id)
            .where(CustomerUser.user_id == user)
            .order_by(CustomerUser.id)
            .limit(1)
            .scalar_subquery()
        )
        stmt = stmt.where(Customer.company_id == first)
    if cuid is not None:
        stmt = stmt.where(Company.cuid == cuid)
    if number is not None:
        stmt = stmt.where(Customer.customer_number == number)
    if lock:
        stmt = stmt.with_for_update(of=Customer)
    rows = ctx.session.execute(stmt).all()
    if not rows:
        raise NotFound("No customer is attached to this user")
    if len(rows) > 1:
        raise Conflict(
            "This user is attached to several customers: name one with customerNumber",
            [{"field": "customerNumber", "message": "required: several customers"}],
        )
    return rows[0][0], rows[0][1]


def _info(customer: Customer, company: Company) -> CustomerInfo:
    phones = [
        InfoPhoneNumber(type=t, number=getattr(customer, snake(f)))
        for t, f in PHONE_FIELD.items()
        if getattr(customer, snake(f))
    ]
    return CustomerInfo(
        customerNumber=customer.customer_number,
        company=company.cuid,
        name=InfoName(
            firstName=customer.first_name,
            middleName=customer.middle_name,
            lastName=customer.last_name,
            companyName=organisation_name(customer),
        ),
        phoneNumbers=phones,
        emails=([customer.email] if customer.email else []) + extra_emails(customer),
        invoiceEmailAddress=customer.invoice_email_address,
        attachedUsers=[AttachedUser(userId=link.user_id) for link in customer.user_links],
    )


@router.get("/info", response_model=CustomerInfo, summary="Get the signed-in user's customer info")
def get_info(ctx: SelfCtx, company: CompanyQ = None, customerNumber: NumberQ = None) -> CustomerInfo:
    """The signed-in user's customer (an identity-provider token whose `sub` is in the
    customer's `attachedUsers`)."""
    customer, comp = _mine(ctx, company, customerNumber)
    return _info(customer, comp)


# Errors of the customer rules, renamed to this shape's fields.
_FIELD_NAMES = {
    "firstName": "name.firstName",
    "middleName": "name.middleName",
    "lastName": "name.lastName",
    "companyName": "name.companyName",
    "fullName": "name.lastName",
    "email": "emails[0]",
    "invoiceEmailAddress": "invoiceEmailAddress",
}


def extra_emails(customer: Customer) -> list[str]:
    return [c.email for c in customer.contacts if c.role == EMAIL_ROLE and c.email]


def _set_extra_emails(ctx, company: Company, customer: Customer, emails: list[str]) -> None:
    """The customer's further e-mails become exactly `emails` (contacts with EMAIL_ROLE);
    unchanged ones stay as they are."""
    kept = {c.email: c for c in customer.contacts if c.role == EMAIL_ROLE}
    for email, contact in kept.items():
        if email not in emails:
            records.delete(ctx.session, CONTACTS, customer, contact, actor=ctx.actor)
    for email in emails:
        if email not in kept:
            records.create(
                ctx.session, company, CONTACTS, customer, {"email": email, "role": EMAIL_ROLE}, actor=ctx.actor
            )


def _emails(body: InfoWrite | None) -> list[str]:
    """The body's e-mails, normalized, each once; a bad one → 422 naming `emails[i]`."""
    out: list[str] = []
    errors = FieldErrors()
    for i, email in enumerate((body.emails if body else None) or []):
        try:
            out.append(normalize_email(email))
        except ValueError as exc:
            errors.add(f"emails[{i}]", str(exc))
    errors.raise_if_any()
    return list(dict.fromkeys(out))


def _changes(body: InfoWrite | None) -> dict[str, Any]:
    body = body or InfoWrite()
    name = body.name or InfoName()
    errors = FieldErrors()
    has_names = any(v is not None for v in name.model_dump().values())
    if has_names and not (name.lastName or name.companyName):
        errors.add("name.lastName", "lastName or companyName is required")
        errors.add("name.companyName", "lastName or companyName is required")
        errors.raise_if_any(BadRequest)
    changes: dict[str, Any] = {
        "firstName": name.firstName,
        "middleName": name.middleName,
        "lastName": name.lastName if has_names else "-",
        "companyName": name.companyName,
        "fullName": None,  # derived from the parts
        "email": next(iter(_emails(body)), None),
        "invoiceEmailAddress": body.invoiceEmailAddress,
    }
    phones = dict.fromkeys(PHONE_FIELD.values())
    untyped = []
    for i, p in enumerate(body.phoneNumbers or []):
        if p.number is None:
            continue
        if p.type is None:
            untyped.append((i, p))
        elif phones[PHONE_FIELD[p.type]] is not None:
            errors.add(f"phoneNumbers[{i}].type", f"a second {p.type} number")
        else:
            phones[PHONE_FIELD[p.type]] = p.number
    for i, p in untyped:
        free = next((f for f in UNTYPED if phones[f] is None), None)
        if free is None:
            errors.add(f"phoneNumbers[{i}]", "at most one MOBILE, HOME and WORK number (and one FAX)")
        else:
            phones[free] = p.number
    errors.raise_if_any()
    changes.update(phones)
    return changes


@router.post("/info", response_model=Success, summary="Replace the signed-in user's customer info")
def post_info(
    ctx: SelfCtx,
    body: Annotated[InfoWrite | None, Body()] = None,
    company: CompanyQ = None,
    customerNumber: NumberQ = None,
) -> Success:
    """Replace the signed-in user's customer info: every field not sent becomes null.
    No name at all (or an empty body) sets `lastName` to "-"; a name without `lastName`
    and `companyName` is a 400 naming both."""
    changes = _changes(body)
    customer, comp = _mine(ctx, company, customerNumber, lock=True)
    phone_names = dict.fromkeys(PHONE_FIELD.values(), "phoneNumbers")
    try:
        customers.patch(ctx.session, comp, customer, changes)
        _set_extra_emails(ctx, comp, customer, _emails(body)[1:])
    except Unprocessable as exc:
        for e in exc.errors:
            e["field"] = _FIELD_NAMES.get(e["field"], phone_names.get(e["field"], e["field"]))
        exc.detail = "Invalid field(s): " + ", ".join(dict.fromkeys(e["field"] for e in exc.errors))
        raise
    return Success()
