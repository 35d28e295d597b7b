"""Detection (issue 26): candidate pairs of customers that may be one, with a score and reasons.

Blocking keys keep the work in step with the number of candidate pairs, not with n²: every
customer is put in the blocks of its keys — the same identity number, VAT number, e-mail or
phone (stored normalized: E.164, compact codes), and for names the same postal code or street
together with the folded name's first letter — and only customers sharing a block are
compared. Names are compared accent- and case-insensitively (`text.fold`) with rapidfuzz's
token-sort ratio. A block larger than MAX_BLOCK (a shared switchboard number, a postal code's
commonest initial) is skipped for names and capped for exact keys: it would add pairs by the
square without telling customers apart."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from custreg.addresses.models import Address
from custreg.customers.models import Customer
from custreg.customers.shape import MAIN_ADDRESS_JOIN
from custreg.text import fold

NAME_THRESHOLD = 88  # token-sort ratio, 0-100
MAX_BLOCK = 50
WEIGHTS = {"idNumber": 0.95, "vatNumber": 0.9, "email": 0.8, "phone": 0.7, "name+zipCode": 0.6, "name+street": 0.6}
EXACT = ("idNumber", "vatNumber", "email", "phone")

COLUMNS = (
    Customer.id,
    Customer.customer_number,
    Customer.id_number,
    Customer.vat_number,
    Customer.email,
    Customer.home_phone,
    Customer.work_phone,
    Customer.cellular_phone,
    Customer.full_name,
    Customer.company_name,
    Address.zip_code,
    Address.street,
)


@dataclass(slots=True)
class Person:
    id: int
    number: int
    name: str  # folded
    keys: list[tuple[str, str]]


def person(row: Any) -> Person:
    """The blocking keys of one row of COLUMNS."""
    id_, number, id_number, vat, email, home, work, cell, full, company, postal, street = row
    keys: list[tuple[str, str]] = []
    if id_number:
        keys.append(("idNumber", id_number))
    if vat:
        keys.append(("vatNumber", vat))
    if email:
        keys.append(("email", email.casefold()))
    for phone in {p for p in (home, work, cell) if p}:
        keys.append(("phone", phone))
    name = fold(full or company or "")
    if name:
        initial = min(name.split())[:1]  # token order does not matter: the smallest word's first letter
        if postal:
            keys.append(("name+zipCode", f"{''.join(postal.split()).upper()}|{initial}"))
        if street:
            keys.append(("name+street", f"{fold(street)}|{initial}"))
    return Person(id_, number, name, keys)


def rows_of(session: Session, company_id: int, *, chunk: int):
    """COLUMNS of the company's customers (main address joined), in id order, streamed `chunk`
    rows at a time (a server-side cursor on PostgreSQL: the rows are never all in memory)."""
    stmt = (
        select(*COLUMNS)
        .outerjoin(Address, MAIN_ADDRESS_JOIN)
        .where(Customer.company_id == company_id)
        .order_by(Customer.id)
        .execution_options(yield_per=chunk)
    )
    return session.connection().execute(stmt)  # Core rows: a third of the ORM's cost a row


@dataclass(slots=True)
class Pair:
    first: int  # customer ids, first < second
    second: int
    reasons: list[str]  # in WEIGHTS' order
    similarity: float | None  # the names' ratio when a name rule matched

    @property
    def score(self) -> float:
        miss = 1.0
        for r in self.reasons:
            weight = WEIGHTS[r] * ((self.similarity or 100) / 100 if r.startswith("name") else 1)
            miss *= 1 - weight
        return round(1 - miss, 3)


_ORDER = {rule: i for i, rule in enumerate(WEIGHTS)}


def pairs(people: Iterable[Person], progress: Callable[[int], None] | None = None) -> Iterator[Pair]:
    """Every candidate pair among `people`, each once, with all its reasons.

    What is kept while reading is small: a customer's id and its name (tokens sorted, as the
    token-sort ratio compares them), and per rule a dict from key to the one customer that has
    it, or the list of those that share it."""
    ids: list[int] = []
    names: list[str] = []
    blocks: dict[str, dict[str, int | list[int]]] = {rule: {} for rule in WEIGHTS}
    for p in people:
        i = len(ids)
        ids.append(p.id)
        names.append(" ".join(sorted(p.name.split())))
        for rule, value in p.keys:
            block = blocks[rule]
            held = block.setdefault(value, i)
            if held == i:
                continue
            if isinstance(held, int):
                block[value] = [held, i]
            else:
                held.append(i)
        if progress is not None and len(ids) % 10_000 == 0:
            progress(10_000)
    if progress is not None:
        progress(len(ids) % 10_000)
    found: dict[tuple[int, int], Pair] = {}

    def add(a: int, b: int, rule: str, similarity: float | None) -> None:
        x, y = ids[a], ids[b]
        if x == y:  # one customer twice (two main addresses)
            return
        key = (x, y) if x < y else (y, x)
        pair = found.get(key)
        if pair is None:
            found[key] = Pair(key[0], key[1], [rule], similarity)
        elif rule not in pair.reasons:
            pair.reasons.append(rule)
            pair.reasons.sort(key=_ORDER.__getitem__)
            if similarity is not None:
                pair.similarity = max(pair.similarity or 0, similarity)

    for rule, block in blocks.items():
        exact = rule in EXACT
        for members in block.values():
            if isinstance(members, int):
                continue
            if len(members) > MAX_BLOCK:
                if not exact:
                    continue
                members = members[:MAX_BLOCK]
            if exact:
                for a, b in combinations(members, 2):
                    add(a, b, rule, None)
                continue
            # names: each member against the later ones in one call (rapidfuzz's loop, in C)
            texts = [names[m] for m in members]
            for k in range(len(members) - 1):
                later = texts[k + 1 :]
                for _text, similarity, j in process.extract(
                    texts[k], later, scorer=fuzz.ratio, score_cutoff=NAME_THRESHOLD, limit=None
                ):
                    add(members[k], members[k + 1 + j], rule, similarity)
    yield from found.values()


def reasons_json(pair: Pair) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in sorted(pair.reasons, key=list(WEIGHTS).index):
        item: dict[str, Any] = {"rule": r}
        if r.startswith("name"):
            item["nameSimilarity"] = pair.similarity
        out.append(item)
    return out
