"""Lookups by external id, number and idNumber; org-number search; the privacy-preserving
client search of seed 004; credential check."""

from typing import Any

import phonenumbers
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.companies.models import Company
from custreg.customers import identifiers
from custreg.customers import service as customers
from custreg.customers.models import Customer
from custreg.customers.shape import MAIN_ADDRESS_JOIN, organisation_name
from custreg.customers.validation import PHONE_FIELDS, normalize_phone
from custreg.db.columns import snake
from custreg.errors import BadRequest, Forbidden, NotFound, Unprocessable
from custreg.external_ids.models import ExternalId
from custreg.external_ids.schemas import pair
from custreg.text import fold

MAX_RESULTS = 5
PHONE_TYPES = {"cellularPhone": "MOBILE", "homePhone": "HOME", "workPhone": "WORK", "telefax": "FAX"}


def _visible(company: Company, include_excluded: bool) -> list:
    where = [Customer.company_id == company.id]
    if not include_excluded:
        where.append(Customer.excluded.is_(False))
    return where


def lookup(
    session: Session,
    company: Company,
    *,
    system_id: int | None,
    system_identifier: str | None,
    identifier: int | None,
    id_number: str | None,
    include_excluded: bool,
) -> Customer:
    where = _visible(company, include_excluded)
    pair(system_id, system_identifier)
    stmt = select(Customer)
    if system_id is not None:
        stmt = stmt.join(ExternalId, ExternalId.customer_id == Customer.id)
        where += [
            ExternalId.external_system_id == system_id,
            ExternalId.external_system_identifier == system_identifier,
        ]
    elif identifier is not None:
        where.append(Customer.customer_number == identifier)
    elif id_number is not None:
        where.append(Customer.id_number.in_(id_number_forms(id_number, company.country_code)))
    else:
        raise BadRequest(
            "Give externalSystemId + externalSystemIdentifier, identifier or idNumber",
            [{"field": "identifier", "message": "one lookup key is required"}],
        )
    customer = session.scalar(stmt.where(*where).order_by(Customer.customer_number).limit(1))
    if customer is None and identifier is not None:  # a merged customer's number: its survivor
        survivor = customers.merged_into(session, company, "number", identifier)
        customer = None if survivor is None else session.get(Customer, survivor)
    if customer is None:
        raise NotFound("No customer matches")
    return customer


def id_number_forms(value: str, country: str) -> set[str]:
    """Every stored form the value may have (customers/identifiers.forms): any written form
    of a code (10 or 12 digits, with or without its hyphen) finds it."""
    return identifiers.forms(value)


def by_org_number(session: Session, company: Company, org_number: str) -> tuple[Customer, Address | None]:
    """The customer with this organisation number — or personal number: a person (a sole
    trader, a consumer) is found by theirs."""
    if not any(
        s.module.is_valid(org_number) for table in (identifiers.BUSINESS, identifiers.PERSONAL) for s in table.values()
    ):
        raise Unprocessable(
            f"{org_number!r} is not a valid organisation number",
            [{"field": "orgNumber", "message": "not a valid Nordic organisation or personal number"}],
        )
    row = session.execute(
        select(Customer, Address)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(*_visible(company, False), Customer.id_number.in_(identifiers.forms(org_number)))
        .order_by(Customer.customer_number)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"No customer with organisation number {org_number}")
    return row[0], row[1]


def org_number_result(customer: Customer, address: Address | None) -> dict[str, Any]:
    phone = customer.work_phone or customer.cellular_phone or customer.home_phone
    return {
        "firstname": customer.first_name,
        "lastname": customer.last_name,
        "company": organisation_name(customer),
        "street": address.street if address else None,
        "zip": address.zip_code if address else None,
        "city": address.city if address else None,
        "country": address.country_code if address else None,
        "phone": phone,
        "email": customer.email,
    }


def _e164(value: str, field: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        parsed = None
    # The E.164 shape is what is checked: a number no customer can have (the seed's own
    # sample, +4712345678) is a search that finds nothing, not a bad request.
    if not value.startswith("+") or parsed is None or not phonenumbers.is_possible_number(parsed):
        raise BadRequest(
            f"{field} must be an E.164 phone number, e.g. +4712345678",
            [{"field": field, "message": "not an E.164 phone number"}],
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _require_search_fields(q: dict[str, Any]) -> None:
    by_name = q.get("companyName") or q.get("lastName")
    if q.get("phoneNumber") or q.get("email"):
        return
    if by_name and q.get("streetAddress") and (q.get("postalCode") or q.get("postalPlace")):
        return
    missing = []
    if not by_name:
        missing.append("companyName or lastName")
    if not q.get("streetAddress"):
        missing.append("streetAddress")
    if not (q.get("postalCode") or q.get("postalPlace")):
        missing.append("postalCode or postalPlace")
    raise BadRequest(
        "A search needs (companyName or lastName) + streetAddress + (postalCode or postalPlace), "
        f"or phoneNumber, or email; missing: {', '.join(missing)}",
        [{"field": m, "message": "required for a name/address search"} for m in missing],
    )


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and fold(a) == fold(b)


def _same_postal_code(asked: str, stored: str | None) -> bool:
    """Spaces aside; digits as numbers (the seed's sample sends 179 for Oslo's 0179)."""
    a, b = "".join(asked.split()), "".join((stored or "").split())
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a.upper() == b.upper()


def _matches(q: dict[str, Any], c: Customer, a: Address | None) -> bool:
    def addr(attr):
        return getattr(a, attr) if a is not None else None

    if q.get("companyName") or q.get("lastName"):
        names = [n for n in (q.get("companyName"), q.get("lastName")) if n]
        if not any(_same(n, organisation_name(c)) or _same(n, c.last_name) for n in names):
            return False
    for field, value in (
        ("firstName", c.first_name),
        ("middleName", c.middle_name),
        ("departmentName", c.department_name),
        ("postalPlace", addr("city")),
    ):
        if q.get(field) and not _same(q[field], value):
            return False
    if q.get("streetAddress"):
        street = fold(addr("street") or "")
        if not street.startswith(fold(q["streetAddress"])):
            return False
        if q.get("streetNumber") is not None:
            number = str(q["streetNumber"])
            if (addr("house_no") or "").strip() != number and number not in street.split():
                return False
    if q.get("postalCode") and not _same_postal_code(str(q["postalCode"]), addr("zip_code")):
        return False
    if q.get("countryCode") and (addr("country_code") or "") != q["countryCode"].upper()[:2]:
        return False
    if q.get("phoneNumber") and q["phoneNumber"] not in {
        getattr(c, f) for f in ("cellular_phone", "home_phone", "work_phone", "telefax")
    }:
        return False
    email = q.get("email")
    return not email or email.lower() in {(c.email or "").lower(), (c.invoice_email_address or "").lower()}


def search(session: Session, company: Company, q: dict[str, Any], *, include_excluded: bool = False):
    """At most 5 customers; more matches → 403 (seed 004)."""
    _require_search_fields(q)
    if q.get("phoneNumber"):
        q["phoneNumber"] = _e164(q["phoneNumber"], "phoneNumber")
    where = _visible(company, include_excluded)
    if q.get("phoneNumber"):
        where.append(_has_phone(q["phoneNumber"]))
    if q.get("email"):
        email = q["email"].lower()
        where.append(or_(func.lower(Customer.email) == email, func.lower(Customer.invoice_email_address) == email))
    name = q.get("lastName") or q.get("companyName")
    if name and not (q.get("phoneNumber") or q.get("email")):
        escaped = fold(name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Customer.search_text.like(f"%{escaped}%", escape="\\"))
    rows = session.execute(
        select(Customer, Address).outerjoin(Address, MAIN_ADDRESS_JOIN).where(*where).order_by(Customer.customer_number)
    )
    found = []
    for c, a in rows:
        if _matches(q, c, a):
            found.append(c)
            if len(found) > MAX_RESULTS:
                raise Forbidden(f"More than {MAX_RESULTS} customers match; narrow the search")
    return found


def found_customer(c: Customer) -> dict[str, Any]:
    return {
        "customerNumber": c.customer_number,
        "name": {
            "firstName": c.first_name,
            "middleName": c.middle_name,
            "lastName": c.last_name,
            "companyName": organisation_name(c),
        },
        "phoneNumbers": [
            {"type": PHONE_TYPES[f], "number": getattr(c, snake(f))} for f in PHONE_FIELDS if getattr(c, snake(f))
        ],
        "emails": [c.email] if c.email else [],
        "invoiceEmailAddress": c.invoice_email_address,
    }


def _has_phone(phone: str):
    return or_(*(getattr(Customer, snake(f)) == phone for f in PHONE_FIELDS))


def check(session: Session, company: Company, credentials: list[str]) -> list[dict[str, Any]]:
    """Which credentials (numbers, e-mails, phones) belong to which customer."""
    out = []
    for credential in credentials:
        where = _visible(company, False)
        if "@" in credential:
            where.append(func.lower(Customer.email) == credential.lower())
        else:
            # Digits are a customer number and also a phone written without its country
            # code (a Norwegian mobile: 91234567): either finds its customer.
            either = []
            if credential.isdigit() and len(credential) <= 12 and not credential.startswith("0"):
                either.append(Customer.customer_number == int(credential))
            try:
                either.append(_has_phone(normalize_phone(credential, company.country_code)))
            except ValueError:
                pass
            if not either:
                continue
            where.append(or_(*either))
        for number in session.scalars(
            select(Customer.customer_number).where(*where).order_by(Customer.customer_number).limit(MAX_RESULTS)
        ):
            out.append({"credential": credential, "customerNumber": number})
    return out
