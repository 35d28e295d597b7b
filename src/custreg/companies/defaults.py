"""What a new company starts with: the register configuration's defaults."""

from sqlalchemy.orm import Session

from custreg.register import service as register


def seed(session: Session, company) -> None:
    register.seed(session, company)
