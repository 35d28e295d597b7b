"""Demo data: realistic Nordic customers, valid identifiers checked by python-stdnum."""

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from custreg.companies import service as companies
from custreg.companies.models import Company
from custreg.companies.schemas import CompanyCreate
from custreg.customers import queries as customer_queries
from custreg.customers import service as customers
from custreg.customers import validation, writer
from custreg.customers.models import Customer
from custreg.db.session import Database
from custreg.paging import ListParams
from custreg.text import fold

PEOPLE = {
    "FI": (
        ["Aino", "Eino", "Helmi", "Väinö", "Siiri", "Onni"],
        ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Järvinen"],
        ["Helsinki", "Tampere", "Turku", "Oulu"],
        "040 {:03d} {:04d}",
    ),
    "SE": (
        ["Åsa", "Lars", "Maja", "Björn", "Elsa", "Nils"],
        ["Åström", "Andersson", "Lindqvist", "Öberg", "Johansson", "Nyström"],
        ["Stockholm", "Göteborg", "Malmö", "Uppsala"],
        "070 {:03d} {:04d}",
    ),
    "NO": (
        ["Ola", "Kari", "Søren", "Ingrid", "Håkon", "Solveig"],
        ["Nordmann", "Hansen", "Bjørnstad", "Løken", "Dahl", "Strøm"],
        ["Oslo", "Bergen", "Trondheim", "Tromsø"],
        "9{:02d} {:02d} {:03d}",
    ),
    "DK": (
        ["Mette", "Søren", "Freja", "Mads", "Ida", "Anders"],
        ["Jensen", "Nielsen", "Sørensen", "Møller", "Kjær", "Østergaard"],
        ["København", "Aarhus", "Odense", "Aalborg"],
        "2{:03d} {:04d}",
    ),
}
COMPANIES = [
    ("FI", "Koivu ja Kumpp. Oy", "2331972-7"),
    ("FI", "Nokian Tuote Oy", "0112038-9"),
    ("SE", "Ljungby Trä AB", "556036-0793"),
    ("NO", "Fjordfisk AS", "988077917"),
    ("DK", "Havnens Café ApS", "13585628"),
]
STREETS = [
    "Mannerheimintie",
    "Drottninggatan",
    "Karl Johans gate",
    "Strøget",
    "Hämeenkatu",
    "Storgatan",
    "Bryggen",
    "Nørrebrogade",
]


def _phone(country: str, rnd: random.Random) -> str:
    pattern = PEOPLE[country][3]
    return pattern.format(
        *(
            rnd.randint(0, 99) if "{:02d}" in pattern and i < 2 else rnd.randint(100, 999)
            for i in range(pattern.count("{"))
        )
    )


def load(url: str, cuid: str = "demo", persons: int = 30) -> tuple[int, bool]:
    """Create the company `cuid` (if missing) with the demo customers, and return its number of
    customers and whether they were loaded now. Idempotent: a company that has customers is left
    as it is."""
    rnd = random.Random(42)
    db = Database.from_url(url)
    try:
        with db.session(write=True) as session:
            loaded = _fill(session, cuid, persons, rnd)
            session.commit()
            company = companies.get(session, cuid)
            total = customer_queries.count(
                session, company, ListParams(), search_word=None, from_date=None, include_excluded=True
            )
            return total, loaded
    finally:
        db.engine.dispose()


def _fill(session: Session, cuid: str, persons: int, rnd: random.Random) -> bool:
    company = session.scalar(select(Company).where(Company.cuid == cuid))
    if company is None:
        company = companies.create(
            session, data=CompanyCreate(cuid=cuid, name="Demo Oy", countryCode="FI", businessId="1572860-0")
        )
        return _customers(session, company, persons, rnd)
    # The company's writers wait for each other from here (as the API's creates do), so two
    # loads at once do not both fill it. SQLite: the write session's BEGIN IMMEDIATE did.
    writer.lock_changes(session, company.id)
    if session.scalar(select(Customer.id).where(Customer.company_id == company.id).limit(1)) is not None:
        return False
    return _customers(session, company, persons, rnd)


def _customers(session: Session, company: Company, persons: int, rnd: random.Random) -> bool:
    for country, name, business_id in COMPANIES:
        customers.create(
            session,
            company,
            {
                "customerType": "COMPANY",
                "companyName": name,
                "idNumber": business_id,
                "countryCode": country,
                "city": rnd.choice(PEOPLE[country][2]),
                "street": rnd.choice(STREETS),
                "houseNo": str(rnd.randint(1, 80)),
                "email": f"info@{name.split()[0].lower().replace('ø', 'o')}.example",
            },
        )
    for i in range(persons):
        country = list(PEOPLE)[i % 4]
        first_names, last_names, cities, _ = PEOPLE[country]
        first, last = rnd.choice(first_names), rnd.choice(last_names)
        values = {
            "customerType": "PERSON",
            "firstName": first,
            "lastName": last,
            "countryCode": country,
            "city": rnd.choice(cities),
            "street": rnd.choice(STREETS),
            "houseNo": str(rnd.randint(1, 120)),
            "zipCode": f"{rnd.randint(100, 999)}00",
            "email": f"{fold(first)}.{fold(last)}@example.com",
            "languageCode": {"FI": "fi", "SE": "sv", "NO": "no", "DK": "da"}[country],
        }
        try:
            values["cellularPhone"] = validation.normalize_phone(_phone(country, rnd), country)
        except ValueError:
            pass
        customers.create(session, company, values)
    writer.finish(session)
    return True
