"""Reproducible Nordic customers for benchmarks (never part of the product).

    .venv/bin/python bench/generate.py --customers 100000 --seed 8 --out /tmp/bench-data

writes, in the directory given:
- `customers.csv`: one row per customer in the export/import columns (custreg.sync.export
  COLUMNS, neutralized the way the export writes cells), loadable with
  `custreg import customers.csv --company bench`;
- `records.jsonl`: one line per customer with its 0-3 sub-records
  (`{"customerGuid", "addresses", "bankAccounts", "contacts"}`), the bodies the records API
  takes.

FI/SE/NO/DK persons and organisations with names in å/ä/ö/ø/æ, personal and business ids
whose check characters are computed and then verified with python-stdnum, IBANs of real
bank codes (schwifty's registry) whose national check digit is searched until schwifty
validates the BBAN, E.164 phones verified with phonenumbers, real postal codes and cities.
The same seed and count give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
import warnings
from pathlib import Path

import phonenumbers
from schwifty import IBAN, registry
from schwifty import exceptions as sx
from stdnum import luhn
from stdnum.dk import cpr, cvr
from stdnum.fi import hetu, ytunnus
from stdnum.no import fodselsnummer
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer

warnings.filterwarnings("ignore", category=sx.NationalChecksumNotVerified)

# The columns this generator fills, in the export's order (a subset of export.COLUMNS).
HEADER = [
    "customerGuid",
    "customerType",
    "customerReference",
    "firstName",
    "lastName",
    "companyName",
    "idNumber",
    "vatNumber",
    "street",
    "houseNo",
    "city",
    "zipCode",
    "countryCode",
    "cellularPhone",
    "workPhone",
    "email",
    "languageCode",
    "currencyCode",
    "preferredChannel",
    "customerTypeCode",
    "paymentTerms",
    "vatStatus",
    "creditLimit",
    "notes",
    "latitude",
    "longitude",
    "externalSystemId",
    "externalSystemIdentifier",
]

COUNTRIES = ("FI", "SE", "NO", "DK")
COUNTRY_WEIGHTS = (35, 30, 20, 15)
LANGUAGE = {"FI": "fi", "SE": "sv", "NO": "nb", "DK": "da"}
CURRENCY = {"FI": "EUR", "SE": "SEK", "NO": "NOK", "DK": "DKK"}
MAIL_TLD = {"FI": "fi", "SE": "se", "NO": "no", "DK": "dk"}

FIRST = {
    "FI": [
        "Aino",
        "Eino",
        "Väinö",
        "Päivi",
        "Sirkka",
        "Jyrki",
        "Matti",
        "Mikko",
        "Juha",
        "Timo",
        "Anna",
        "Maria",
        "Helena",
        "Johanna",
        "Tiina",
        "Satu",
        "Minna",
        "Sanna",
        "Ilkka",
        "Tuomas",
        "Pekka",
        "Jääkko",
        "Hannele",
        "Kyösti",
        "Leena",
        "Sääri",
        "Ville",
        "Elina",
        "Onni",
        "Eetu",
        "Venla",
        "Siiri",
        "Iida",
        "Ahti",
        "Tyyne",
        "Åsa",
    ],
    "SE": [
        "Lars",
        "Åsa",
        "Björn",
        "Göran",
        "Maria",
        "Anna",
        "Erik",
        "Karl",
        "Märta",
        "Örjan",
        "Ingrid",
        "Sofia",
        "Måns",
        "Linnéa",
        "Agnes",
        "Håkan",
        "Sören",
        "Ebba",
        "Gösta",
        "Astrid",
        "Nils",
        "Maja",
        "Pär",
        "Ulla",
        "Jöns",
        "Elsa",
        "Åke",
        "Frida",
    ],
    "NO": [
        "Ole",
        "Øystein",
        "Bjørn",
        "Kjersti",
        "Ingrid",
        "Solveig",
        "Håkon",
        "Astrid",
        "Jørgen",
        "Sigrid",
        "Trond",
        "Åse",
        "Eirik",
        "Ragnhild",
        "Ståle",
        "Tove",
        "Øyvind",
        "Marit",
        "Knut",
        "Gro",
        "Aslak",
        "Bjørg",
        "Torbjørn",
        "Liv",
        "Jon",
        "Hege",
    ],
    "DK": [
        "Søren",
        "Mette",
        "Jørgen",
        "Anne",
        "Lars",
        "Kirsten",
        "Henrik",
        "Bo",
        "Birgitte",
        "Niels",
        "Maja",
        "Freja",
        "Asbjørn",
        "Mads",
        "Line",
        "Bjørk",
        "Sørine",
        "Ebbe",
        "Pernille",
        "Rasmus",
        "Jens",
        "Lærke",
        "Ida",
        "Frederik",
    ],
}
LAST = {
    "FI": [
        "Virtanen",
        "Korhonen",
        "Mäkinen",
        "Nieminen",
        "Mäkelä",
        "Hämäläinen",
        "Laine",
        "Heikkinen",
        "Koskinen",
        "Järvinen",
        "Lehtonen",
        "Lehtinen",
        "Saarinen",
        "Salminen",
        "Heinonen",
        "Niemi",
        "Heikkilä",
        "Kinnunen",
        "Salonen",
        "Turunen",
        "Jääskeläinen",
        "Räsänen",
        "Kärkkäinen",
        "Pöllänen",
        "Ahonen",
        "Väisänen",
        "Häkkinen",
        "Lyytikäinen",
        "Kääriäinen",
        "Ylönen",
        "Björklund",
        "Söderström",
    ],
    "SE": [
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Pettersson",
        "Jonsson",
        "Jansson",
        "Hansson",
        "Bengtsson",
        "Jönsson",
        "Lindström",
        "Åberg",
        "Öberg",
        "Söderberg",
        "Ängström",
        "Hägglund",
        "Sjöberg",
        "Löfgren",
        "Nyström",
        "Björk",
        "Åström",
        "Bäckström",
    ],
    "NO": [
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Andersen",
        "Pedersen",
        "Nilsen",
        "Kristiansen",
        "Jensen",
        "Karlsen",
        "Johnsen",
        "Pettersen",
        "Eriksen",
        "Berg",
        "Haugen",
        "Hagen",
        "Johannessen",
        "Andreassen",
        "Jacobsen",
        "Dahl",
        "Jørgensen",
        "Halvorsen",
        "Sæther",
        "Løken",
        "Bråten",
        "Solbakken",
        "Ødegård",
        "Østby",
        "Grønli",
    ],
    "DK": [
        "Jensen",
        "Nielsen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Jørgensen",
        "Petersen",
        "Madsen",
        "Kristensen",
        "Olsen",
        "Thomsen",
        "Christiansen",
        "Poulsen",
        "Johansen",
        "Møller",
        "Mortensen",
        "Kjærgaard",
        "Søndergaard",
        "Østergaard",
        "Bødker",
        "Lærkholm",
        "Brønnum",
    ],
}
# (city, postal code, latitude, longitude)
CITIES = {
    "FI": [
        ("Helsinki", "00100", 60.17, 24.94),
        ("Espoo", "02100", 60.21, 24.66),
        ("Tampere", "33100", 61.50, 23.76),
        ("Turku", "20100", 60.45, 22.27),
        ("Oulu", "90100", 65.01, 25.47),
        ("Jyväskylä", "40100", 62.24, 25.75),
        ("Lahti", "15100", 60.98, 25.66),
        ("Kuopio", "70100", 62.89, 27.68),
        ("Hämeenlinna", "13100", 61.00, 24.46),
        ("Seinäjoki", "60100", 62.79, 22.84),
        ("Rovaniemi", "96100", 66.50, 25.73),
        ("Mäntsälä", "04600", 60.63, 25.32),
    ],
    "SE": [
        ("Stockholm", "111 22", 59.33, 18.06),
        ("Göteborg", "411 01", 57.71, 11.97),
        ("Malmö", "211 20", 55.60, 13.00),
        ("Uppsala", "753 20", 59.86, 17.64),
        ("Västerås", "722 10", 59.61, 16.55),
        ("Örebro", "702 10", 59.27, 15.21),
        ("Linköping", "582 22", 58.41, 15.62),
        ("Jönköping", "553 20", 57.78, 14.16),
        ("Norrköping", "602 22", 58.59, 16.18),
        ("Umeå", "903 26", 63.83, 20.26),
        ("Gävle", "803 20", 60.67, 17.14),
        ("Skövde", "541 30", 58.39, 13.85),
    ],
    "NO": [
        ("Oslo", "0150", 59.91, 10.75),
        ("Bergen", "5003", 60.39, 5.32),
        ("Trondheim", "7010", 63.43, 10.40),
        ("Stavanger", "4006", 58.97, 5.73),
        ("Drammen", "3015", 59.74, 10.20),
        ("Fredrikstad", "1606", 59.22, 10.93),
        ("Kristiansand", "4610", 58.15, 8.00),
        ("Tromsø", "9008", 69.65, 18.96),
        ("Ålesund", "6002", 62.47, 6.15),
        ("Bodø", "8006", 67.28, 14.40),
        ("Hønefoss", "3510", 60.17, 10.26),
        ("Førde", "6800", 61.45, 5.85),
    ],
    "DK": [
        ("København K", "1050", 55.68, 12.57),
        ("Aarhus C", "8000", 56.16, 10.20),
        ("Odense C", "5000", 55.40, 10.39),
        ("Aalborg", "9000", 57.05, 9.92),
        ("Esbjerg", "6700", 55.47, 8.45),
        ("Randers C", "8900", 56.46, 10.04),
        ("Kolding", "6000", 55.49, 9.47),
        ("Vejle", "7100", 55.71, 9.54),
        ("Roskilde", "4000", 55.64, 12.08),
        ("Næstved", "4700", 55.23, 11.76),
        ("Holstebro", "7500", 56.36, 8.62),
        ("Køge", "4600", 55.46, 12.18),
    ],
}
STREETS = {
    "FI": [
        "Mannerheimintie",
        "Hämeenkatu",
        "Aleksanterinkatu",
        "Kauppakatu",
        "Koulukatu",
        "Puistokatu",
        "Rautatienkatu",
        "Sibeliuksenkatu",
        "Yliopistonkatu",
        "Mäkelänkatu",
        "Töölönkatu",
        "Itäinen Pitkäkatu",
        "Kyläsaarenkatu",
        "Pyynikintie",
        "Väinämöisenkatu",
    ],
    "SE": [
        "Storgatan",
        "Drottninggatan",
        "Kungsgatan",
        "Östra Hamngatan",
        "Sveavägen",
        "Vasagatan",
        "Järnvägsgatan",
        "Skolgatan",
        "Ringvägen",
        "Åsögatan",
        "Götgatan",
        "Södra Förstadsgatan",
        "Västra Långgatan",
        "Hötorget",
    ],
    "NO": [
        "Storgata",
        "Kirkegata",
        "Bjørnstjerne Bjørnsons gate",
        "Thorvald Meyers gate",
        "Grønlandsleiret",
        "Kongens gate",
        "Dronningens gate",
        "Skippergata",
        "Øvre Slottsgate",
        "Sørkedalsveien",
        "Møllergata",
        "Bygdøy allé",
    ],
    "DK": [
        "Vesterbrogade",
        "Nørrebrogade",
        "Østerbrogade",
        "Søndergade",
        "Algade",
        "Jernbanegade",
        "Åboulevarden",
        "Frederiksberg Allé",
        "Ryesgade",
        "Bredgade",
        "Møllevej",
        "Kongensgade",
        "Nørregade",
    ],
}
COMPANY_SUFFIX = {
    "FI": ["Oy", "Oy Ab", "Ky", "Tmi"],
    "SE": ["AB", "Handelsbolag", "AB"],
    "NO": ["AS", "ASA", "AS"],
    "DK": ["ApS", "A/S", "I/S"],
}
TRADES = {
    "FI": ["Rakennus", "Sähkö", "Kuljetus", "Kauppa", "Konepaja", "Metsä", "Puutarha"],
    "SE": ["Bygg", "Elektriska", "Åkeri", "Handel", "Mekaniska", "Skogs", "Trädgård"],
    "NO": ["Bygg", "Elektro", "Transport", "Handel", "Mekaniske", "Skog", "Hagesenter"],
    "DK": ["Byg", "El-service", "Vognmand", "Handel", "Maskinfabrik", "Skov", "Planteskole"],
}
# Mobile and landline number ranges (national significant number prefix, digits after it).
MOBILE = {
    "FI": [("40", 7), ("41", 7), ("44", 7), ("45", 7), ("50", 7)],
    "SE": [("70", 7), ("72", 7), ("73", 7), ("76", 7), ("79", 7)],
    "NO": [("4", 7), ("9", 7)],
    "DK": [("20", 6), ("30", 6), ("40", 6), ("50", 6), ("60", 6), ("71", 6), ("81", 6)],
}
LANDLINE = {
    "FI": [("9", 7), ("2", 7), ("3", 7)],
    "SE": [("8", 8), ("31", 7), ("40", 7)],
    "NO": [("22", 6), ("55", 6), ("73", 6)],
    "DK": [("33", 6), ("86", 6), ("66", 6)],
}
CALLING = {"FI": "358", "SE": "46", "NO": "47", "DK": "45"}
CONTACT_ROLES = ["invoicing", "purchasing", "CEO", "CFO", "logistics", "guardian"]


def _fold_ascii(text: str) -> str:
    table = str.maketrans(
        {"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "é": "e", "ü": "u", " ": "", "/": "", "&": "", "-": ""}
    )
    return text.lower().translate(table)


def neutralize(cell: str) -> str:
    """As the export writes a cell (custreg.sync.export.neutralize): `'` before a cell a
    spreadsheet would run as a formula (phones start with `+`)."""
    if cell and (cell[0] in "'=+-@\t\r\n"):
        return "'" + cell
    return cell


class Generator:
    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)
        self.banks = {}
        for cc in COUNTRIES:
            spec = registry.get_iban_spec(cc)
            width = spec.positions[registry.Component.BANK_CODE].end
            banks = sorted(
                {
                    b.bank_code
                    for b in registry.get_banks_by_country(cc)
                    if b.bic and len(b.bank_code) == width and b.bank_code.isdigit()
                }
            )
            self.banks[cc] = (banks, spec.bban_length)
        self.today = dt.date(2026, 1, 1)  # fixed: the same seed gives the same file any day

    # ------------------------------------------------------------ identifiers

    def _birth_date(self) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(18 * 365, 90 * 365))

    def personal_id(self, cc: str) -> str:
        rng = self.rng
        while True:
            born = self._birth_date()
            ddmmyy = born.strftime("%d%m%y")
            if cc == "FI":
                n = f"{rng.randint(2, 899):03d}"
                sign = "-" if born.year < 2000 else "A"
                code = ddmmyy + sign + n + hetu._calc_checksum(ddmmyy + n)
                ok = hetu.is_valid(code)
            elif cc == "SE":
                nine = born.strftime("%y%m%d") + f"{rng.randint(0, 999):03d}"
                code = f"{nine[:6]}-{nine[6:]}{luhn.calc_check_digit(nine)}"
                ok = personnummer.is_valid(code)
            elif cc == "NO":
                individual = rng.randint(0, 499) if born.year < 2000 else rng.randint(500, 999)
                nine = ddmmyy + f"{individual:03d}"
                k1 = fodselsnummer.calc_check_digit1(nine)
                if k1 == "10":
                    continue
                k2 = fodselsnummer.calc_check_digit2(nine + k1)
                if k2 == "10":
                    continue
                code = nine + k1 + k2
                ok = fodselsnummer.is_valid(code)
            else:  # DK: the 7th digit and the year give the century (0-3: 1900s)
                seq = rng.randint(0, 3999) if born.year < 2000 else rng.randint(4000, 4999)
                code = f"{ddmmyy}-{seq:04d}"
                ok = cpr.is_valid(code)
            if ok:
                return code

    def business_id(self, cc: str) -> tuple[str, str]:
        """(business id, VAT number) of one organisation."""
        rng = self.rng
        while True:
            if cc == "FI":
                base = f"{rng.randint(1000000, 3299999):07d}"
                for check in "0123456789":
                    if ytunnus.is_valid(base + check):
                        return f"{base}-{check}", f"FI{base}{check}"
            elif cc == "SE":
                nine = f"5{rng.randint(50000000, 59999999)}"
                code = nine + luhn.calc_check_digit(nine)
                if se_orgnr.is_valid(code):
                    return f"{code[:6]}-{code[6:]}", f"SE{code}01"
            elif cc == "NO":
                base = f"9{rng.randint(10000000, 99999999)}"[:8]
                for check in "0123456789":
                    if no_orgnr.is_valid(base + check):
                        return base + check, f"NO{base}{check}MVA"
            else:
                base = f"{rng.randint(1000000, 9999999):07d}"
                for check in "0123456789":
                    if cvr.is_valid(base + check):
                        return base + check, f"DK{base}{check}"

    def iban(self, cc: str) -> str:
        """A real bank's code, random account digits, the national check digit computed
        (FI: Luhn, NO: mod 11; SE and DK vary by bank), then the whole IBAN verified by
        schwifty; a candidate it refuses is dropped."""
        banks, length = self.banks[cc]
        rng = self.rng
        while True:
            bank = rng.choice(banks)
            body = bank + "".join(rng.choices("0123456789", k=length - len(bank) - 1))
            if cc == "FI":
                check = luhn.calc_check_digit(body)
            elif cc == "NO":
                total = sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), body))
                check = str((11 - total % 11) % 11)
                if check == "10":
                    continue
            else:
                check = str(rng.randint(0, 9))
            try:
                account = IBAN.from_bban(cc, body + check, validate_bban=True)
            except (sx.SchwiftyException, ValueError):
                continue
            if account.bic is not None:
                return str(account.compact)

    def phone(self, cc: str, mobile: bool = True) -> str:
        rng = self.rng
        ranges = MOBILE[cc] if mobile else LANDLINE[cc]
        while True:
            prefix, n = rng.choice(ranges)
            national = int(f"{prefix}{rng.randint(10 ** (n - 1), 10**n - 1)}")
            number = phonenumbers.PhoneNumber(country_code=int(CALLING[cc]), national_number=national)
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    # ------------------------------------------------------------ one customer

    def customer(self, i: int) -> tuple[dict, dict]:
        rng = self.rng
        cc = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        guid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        city, zip_code, lat, lon = rng.choice(CITIES[cc])
        person = rng.random() < 0.85
        first, last = rng.choice(FIRST[cc]), rng.choice(LAST[cc])
        row: dict[str, str] = dict.fromkeys(HEADER, "")
        row.update(
            customerGuid=guid,
            countryCode=cc,
            city=city,
            zipCode=zip_code,
            street=rng.choice(STREETS[cc]),
            houseNo=str(rng.randint(1, 120)),
            languageCode=LANGUAGE[cc],
            currencyCode=CURRENCY[cc],
            latitude=f"{lat + rng.uniform(-0.05, 0.05):.5f}",
            longitude=f"{lon + rng.uniform(-0.05, 0.05):.5f}",
            customerReference=f"R{i:07d}",
        )
        if rng.random() < 0.3:
            row.update(externalSystemId="6", externalSystemIdentifier=f"WC-{i}")
        if person:
            row.update(
                customerType="PERSON",
                firstName=first,
                lastName=last,
                idNumber=self.personal_id(cc),
                cellularPhone=self.phone(cc),
                email=f"{_fold_ascii(first)}.{_fold_ascii(last)}{i}@example.{MAIL_TLD[cc]}",
                preferredChannel=rng.choice(["EMAIL", "LETTER", "SMS"]),
                customerTypeCode="CONSUMER",
                paymentTerms="NET14",
            )
        else:
            name = f"{last} {rng.choice(TRADES[cc])} {rng.choice(COMPANY_SUFFIX[cc])}"
            business, vat = self.business_id(cc)
            row.update(
                customerType="COMPANY",
                companyName=name,
                idNumber=business,
                vatNumber=vat,
                workPhone=self.phone(cc, mobile=False),
                email=f"info{i}@{_fold_ascii(last)}.{MAIL_TLD[cc]}",
                preferredChannel=rng.choice(["E-INVOICE", "EMAIL"]),
                customerTypeCode="BUSINESS",
                paymentTerms="NET30",
                vatStatus="DOMESTIC",
                creditLimit=str(rng.choice([1000, 5000, 10000, 25000, 50000])),
            )
        if rng.random() < 0.05:
            row["notes"] = rng.choice(
                [
                    "Asiakas toivoo yhteydenottoa sähköpostilla.",
                    "Föredrar faktura per post.",
                    "Ønsker ikke telefonsalg.",
                    "Særlige leveringsbetingelser aftalt.",
                ]
            )
        return row, self.records(guid, cc, first, last, person)

    def records(self, guid: str, cc: str, first: str, last: str, person: bool) -> dict:
        rng = self.rng
        n = rng.choices((0, 1, 2, 3), (20, 30, 30, 20))[0]
        kinds = rng.sample(["bankAccounts", "contacts", "addresses", "bankAccounts", "contacts"], n)
        out: dict = {"customerGuid": guid, "addresses": [], "bankAccounts": [], "contacts": []}
        for kind in kinds:
            if kind == "bankAccounts":
                out["bankAccounts"].append({"iban": self.iban(cc), "currencyCode": CURRENCY[cc]})
            elif kind == "contacts":
                cf = rng.choice(FIRST[cc])
                out["contacts"].append(
                    {
                        "name": f"{cf} {last if person else rng.choice(LAST[cc])}",
                        "role": rng.choice(CONTACT_ROLES),
                        "phone": self.phone(cc),
                        "email": f"{_fold_ascii(cf)}.{_fold_ascii(last)}@example.{MAIL_TLD[cc]}",
                        "languageCode": LANGUAGE[cc],
                    }
                )
            else:
                city, zip_code, _, _ = rng.choice(CITIES[cc])
                out["addresses"].append(
                    {
                        "addressType": rng.choice(["DELIVERY", "INVOICE"]),
                        "defaultAddress": True,
                        "street": rng.choice(STREETS[cc]),
                        "houseNo": str(rng.randint(1, 120)),
                        "zipCode": zip_code,
                        "city": city,
                        "countryCode": cc,
                    }
                )
        # A record kind appears twice at most; keep one default address per type.
        seen = set()
        for a in out["addresses"]:
            if a["addressType"] in seen:
                a["defaultAddress"] = False
            seen.add(a["addressType"])
        return out


CHUNK = 20000  # customers per chunk; chunk k is seeded by (seed, k), so any worker count
# gives the same bytes


def _chunk(args: tuple[int, int, int]) -> tuple[str, str]:
    seed, start, count = args
    gen = Generator(f"{seed}:{start}")
    rows, recs = io.StringIO(), io.StringIO()
    writer = csv.writer(rows, lineterminator="\r\n")
    for i in range(start, start + count):
        row, records = gen.customer(i)
        writer.writerow([neutralize(row[h]) for h in HEADER])
        recs.write(json.dumps(records, ensure_ascii=False, separators=(",", ":")) + "\n")
    return rows.getvalue(), recs.getvalue()


def generate(n: int, seed: int, out: Path, progress: bool = True, jobs: int | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    tasks = [(seed, start, min(CHUNK, n + 1 - start)) for start in range(1, n + 1, CHUNK)]
    jobs = jobs or min(os.cpu_count() or 1, max(1, len(tasks)))
    with (
        open(out / "customers.csv", "w", newline="", encoding="utf-8") as fc,
        open(out / "records.jsonl", "w", encoding="utf-8") as fr,
    ):
        csv.writer(fc, lineterminator="\r\n").writerow(HEADER)
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for k, (rows, recs) in enumerate(pool.imap(_chunk, tasks), 1):
                fc.write(rows)
                fr.write(recs)
                done = min(k * CHUNK, n)
                if progress and (k % 5 == 0 or done == n):
                    rate = done / (time.monotonic() - started)
                    print(f"generate: {done} customers ({rate:,.0f}/s)", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=10000)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--out", type=Path, required=True, help="directory for customers.csv, records.jsonl")
    a = p.parse_args(argv)
    generate(a.customers, a.seed, a.out, jobs=a.jobs)


if __name__ == "__main__":
    main()
