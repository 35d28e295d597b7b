"""What a new company starts with. Later issues add register configuration here."""

from sqlalchemy.orm import Session


def seed(session: Session, company) -> None:
    return None
