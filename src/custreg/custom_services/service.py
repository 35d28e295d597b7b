"""Service definitions of a company: create, read, change, delete, rotate the secret; the
calls to them: prepared in the request's transaction, sent outside it (sync), or queued for
`custreg worker` (async, runner.py). Services never commit."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from custreg.companies.models import Company
from custreg.custom_services.models import ServiceDefinition, ServiceInvocation
from custreg.custom_services.schemas import ServiceCreate, ServicePatch
from custreg.customers import document
from custreg.customers import service as customers
from custreg.db.base import utcnow
from custreg.errors import Conflict, DomainError, NotFound, field_error
from custreg.events import safety, sending
from custreg.events.signing import Secrets, new_secret
from custreg.settings import Settings

ANSWER_LIMIT = 256 * 1024  # bytes of a service's answer read; a longer answer is a 502
ANSWER_KEPT = 64 * 1024  # bytes of an async answer kept for polling


class ServiceFailed(DomainError):
    """The service answered with an error, an answer custreg cannot pass on, or not at all."""

    status = 502
    code = "service_failed"


class ServiceTimeout(DomainError):
    status = 504
    code = "service_timeout"


@dataclass(slots=True)
class Call:
    """One call ready to send: no session or ORM object, so it can leave the transaction."""

    name: str
    url: str
    signers: list[str]
    body: bytes
    invocation: uuid.UUID


def create(
    session: Session, company: Company, data: ServiceCreate, *, settings: Settings
) -> tuple[ServiceDefinition, str]:
    """A new definition and its signing secret (in clear only in this answer)."""
    safety.check_saved(data.url, allow_private=settings.webhook_allow_private)
    if session.scalar(
        select(ServiceDefinition.id).where(
            ServiceDefinition.company_id == company.id, ServiceDefinition.name == data.name
        )
    ):
        raise Conflict(f"A service definition named {data.name!r} exists", [{"field": "name", "message": "in use"}])
    secret = new_secret()
    now = utcnow()
    service = ServiceDefinition(
        company_id=company.id,
        name=data.name,
        url=data.url,
        description=data.description,
        secret=Secrets(settings).seal(secret),
        created_at=now,
        updated_at=now,
    )
    session.add(service)
    try:
        session.flush()
    except IntegrityError:  # the same name created at the same time
        raise Conflict(f"A service definition named {data.name!r} exists") from None
    return service, secret


def listed(session: Session, company: Company) -> list[ServiceDefinition]:
    return list(
        session.scalars(
            select(ServiceDefinition).where(ServiceDefinition.company_id == company.id).order_by(ServiceDefinition.name)
        )
    )


def get(session: Session, company: Company, key: str, *, for_update: bool = False) -> ServiceDefinition:
    """The company's definition by name (or id), or 404 (another company's is not found either)."""
    try:
        where = ServiceDefinition.service_guid == uuid.UUID(key)
    except ValueError:
        where = ServiceDefinition.name == key
    query = select(ServiceDefinition).where(ServiceDefinition.company_id == company.id, where)
    found = session.scalar(query.with_for_update() if for_update else query)
    if found is None:
        raise NotFound(f"Service definition {key} not found")
    return found


def patch(session: Session, service: ServiceDefinition, data: ServicePatch, *, settings: Settings) -> None:
    changes = data.model_dump(exclude_unset=True)
    if "url" in changes:
        if changes["url"] is None:
            raise field_error("url", "may not be null")
        safety.check_saved(changes["url"], allow_private=settings.webhook_allow_private)
        service.url = changes["url"]
    if "description" in changes:
        service.description = changes["description"]
    service.updated_at = utcnow()
    session.flush()


def rotate(session: Session, service: ServiceDefinition, *, settings: Settings) -> str:
    """A new secret (shown only now); calls are signed with it from now on."""
    secret = new_secret()
    service.secret = Secrets(settings).seal(secret)
    service.updated_at = utcnow()
    session.flush()
    return secret


def delete(session: Session, service: ServiceDefinition) -> None:
    """The definition with its invocations."""
    session.execute(sql_delete(ServiceInvocation).where(ServiceInvocation.service_id == service.id))
    session.delete(service)
    session.flush()


def prepare(
    session: Session, company: Company, name: str, customer_key: str | None, payload: Any, *, settings: Settings
) -> tuple[ServiceDefinition, Call, uuid.UUID | None]:
    """The call's body: `{invocationId, serviceDefinition, company, customer, body}`, the
    customer as GET shows it (None for a global call); signed with the service's secret."""
    service = get(session, company, name)
    customer_body = None
    customer_guid = None
    if customer_key is not None:
        customer = customers.get(session, company, customer_key)
        customer_guid = customer.customer_guid
        customer_body = orjson.loads(document.render(customer, company.cuid))
    invocation = uuid.uuid4()
    body = orjson.dumps(
        {
            "invocationId": str(invocation),
            "serviceDefinition": service.name,
            "company": company.cuid,
            "customer": customer_body,
            "body": payload,
        }
    )
    signers = [Secrets(settings).open(service.secret)]
    return service, Call(service.name, service.url, signers, body, invocation), customer_guid


def headers(call: Call) -> dict[str, str]:
    return {"Custreg-Invocation-Id": str(call.invocation), "Custreg-Service": call.name}


def send(http, call: Call, *, settings: Settings) -> sending.Answer:
    return sending.post(
        http,
        call.url,
        call.body,
        call.signers,
        allow_private=settings.webhook_allow_private,
        limit=ANSWER_LIMIT,
        headers=headers(call),
    )


def invoke(call: Call, *, settings: Settings) -> Any:
    """Send now (outside any transaction) and return the service's JSON answer; its failure
    is a 502 (504 when it did not answer in time), never custreg's 5xx."""
    with sending.client(settings, max_connections=1) as http:
        answer = send(http, call, settings=settings)
    return result(call, answer)


def result(call: Call, answer: sending.Answer) -> Any:
    name = call.name
    if answer.timed_out:
        raise ServiceTimeout(f"Service {name!r} did not answer in time", serviceDefinition=name)
    if answer.status_code is None:
        raise ServiceFailed(f"Service {name!r} could not be called: {answer.error}", serviceDefinition=name)
    if not answer.ok:
        raise ServiceFailed(
            f"Service {name!r} answered HTTP {answer.status_code}",
            serviceDefinition=name,
            serviceStatus=answer.status_code,
            serviceAnswer=answer.body[:1000].decode(errors="replace"),
        )
    if answer.truncated:
        raise ServiceFailed(f"Service {name!r} answered more than {ANSWER_LIMIT} bytes", serviceDefinition=name)
    if not answer.body.strip():
        return {}
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        raise ServiceFailed(f"Service {name!r} answered something that is not JSON", serviceDefinition=name) from None


def queue(
    session: Session, company: Company, service: ServiceDefinition, call: Call, customer_guid
) -> ServiceInvocation:
    """An `async` call: `custreg worker` sends it (runner.py), at least once, retried."""
    now = utcnow()
    invocation = ServiceInvocation(
        invocation_guid=call.invocation,
        company_id=company.id,
        service_id=service.id,
        customer_guid=customer_guid,
        body=call.body.decode(),
        status="pending",
        tries=0,
        next_at=now,
        created_at=now,
    )
    session.add(invocation)
    session.flush()
    return invocation


def invocation(session: Session, company: Company, key: uuid.UUID) -> dict[str, Any]:
    """The invocation `key` of the company, as polled; 404 for another company's."""
    found = session.execute(
        select(ServiceInvocation, ServiceDefinition.name)
        .join(ServiceDefinition, ServiceDefinition.id == ServiceInvocation.service_id)
        .where(ServiceInvocation.company_id == company.id, ServiceInvocation.invocation_guid == key)
    ).first()
    if found is None:
        raise NotFound(f"Invocation {key} not found")
    return shown(*found)


def shown(i: ServiceInvocation, name: str) -> dict[str, Any]:
    answer: Any = None
    if i.answer is not None:
        try:
            answer = orjson.loads(i.answer)
        except orjson.JSONDecodeError:
            answer = i.answer
    return {
        "invocationId": i.invocation_guid,
        "serviceDefinition": name,
        "customerGuid": i.customer_guid,
        "status": i.status,
        "tries": i.tries,
        "statusCode": i.status_code,
        "answer": answer,
        "error": i.error,
        "createdAt": i.created_at,
        "finishedAt": i.finished_at,
    }


def forget(session: Session, company: Company, guids: list[uuid.UUID]) -> None:
    """Erasure (docs/privacy.md): the customers' invocations keep their ids, status and the
    caller's body, but lose the customer they carried and the service's answer."""
    rows = session.execute(
        select(ServiceInvocation.id, ServiceInvocation.body).where(
            ServiceInvocation.company_id == company.id, ServiceInvocation.customer_guid.in_(guids)
        )
    ).all()
    for id_, text in rows:
        sent = orjson.loads(text)
        sent["customer"] = None
        session.execute(
            update(ServiceInvocation)
            .where(ServiceInvocation.id == id_)
            .values(body=orjson.dumps(sent).decode(), answer=None)
        )


def prune(session: Session, *, older_than: datetime) -> int:
    """`custreg prune`: finished (done, failed) invocations made before `older_than`."""
    gone = session.execute(
        sql_delete(ServiceInvocation).where(
            ServiceInvocation.created_at < older_than, ServiceInvocation.status != "pending"
        )
    )
    return getattr(gone, "rowcount", 0) or 0
