"""What a new company starts with: the register configuration's defaults."""

from sqlalchemy.orm import Session


def seed(session: Session, company) -> None:
    from custreg.register import service as register

    register.seed(session, company)
