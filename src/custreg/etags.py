"""Entity tags of single resources (contract section 2: GETs send an `ETag`; PUT, PATCH
and DELETE honour `If-Match`, 412 on a mismatch).

A customer's tag is its `version`. A record without a version of its own (an address, a
bank account, ...) is tagged by a digest of its representation, so any change of what a
GET shows changes the tag. Writers of a customer's records hold the customer's row lock,
so the check and the write see the same record."""

import hashlib
from typing import Annotated

from fastapi import Header
from pydantic import BaseModel

from custreg.errors import PreconditionFailed

IfMatch = Annotated[str | None, Header(description="ETag of the version being changed")]


def quoted(value: str) -> str:
    return f'"{value}"'


def of_model(model: BaseModel) -> str:
    """The tag of a representation (a strong validator: equal JSON, equal tag)."""
    return quoted(hashlib.blake2b(model.model_dump_json().encode(), digest_size=12).hexdigest())


def check(current: str | None, if_match: str | None) -> None:
    """412 unless `If-Match` names the current tag (`*`: any current representation).
    `current` None: the resource does not exist, so no `If-Match` holds (RFC 9110 13.1.1)."""
    if if_match is None:
        return
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
    if current is None:
        raise PreconditionFailed(f"If-Match {if_match}: the resource does not exist")
    if "*" not in tags and current.strip('"') not in tags:
        raise PreconditionFailed(f"If-Match {if_match} does not match the current ETag {current}")
