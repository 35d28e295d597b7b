"""Actions: questions to the customer with their allowed responses, and the answer."""

from typing import Any

from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from custreg.actions.models import CustomerAction
from custreg.actions.schemas import ActionFields, ActionRead
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.errors import Conflict, FieldErrors
from custreg.records import RecordKind, to_dict


def rule(session: Session, company, customer, values: dict[str, Any], existing) -> dict[str, Any]:
    values["allowPostpone"] = bool(values.get("allowPostpone"))
    return values


ACTIONS = RecordKind(
    model=CustomerAction,
    path="actions",
    id_field="actionGuid",
    write_schema=ActionFields,
    read_schema=ActionRead,
    title="action",
    rule=rule,
)


def respond(
    session: Session, customer: Customer, action: CustomerAction, answer: dict[str, Any], actor: str | None
) -> None:
    """Record the customer's answer: an allowed response code and/or, when the action allows
    it, a postponement. A final answer (a response code) is given once; a postponed
    question can be answered later."""
    errors = FieldErrors()
    response, postpone_to = answer.get("response"), answer.get("postponeTo")
    if response is None and postpone_to is None:
        errors.add("response", "give a response" + (" or postponeTo" if action.allow_postpone else ""))
    if response is not None and response not in action.responses:
        errors.add("response", f"must be one of {', '.join(action.responses)}")
    if postpone_to is not None and not action.allow_postpone:
        errors.add("postponeTo", "this action does not allow postponing")
    errors.raise_if_any()
    if action.response is not None:
        raise Conflict(
            f"The action was already answered {action.response} at "
            f"{action.responded_at.isoformat() if action.responded_at else '?'}",
            [{"field": "response", "message": "already answered"}],
        )
    now = utcnow()
    action.response = response
    action.response_note = answer.get("note")
    action.postpone_to = postpone_to
    action.responded_at = now
    action.responded_by = actor
    action.last_updated_at = now
    customer_writer.changed(session, customer)
    customer_writer.flush(session)


# The customer's part, registered by custreg.bootstrap: loading its records, its part of the full GET.


def load_actions() -> LoaderOption:
    return selectinload(Customer.actions)


def detail_part(c: Customer, cuid: str) -> dict[str, Any]:
    return {"actions": [to_dict(ACTIONS, a) for a in c.actions]}
