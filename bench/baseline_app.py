"""The two baselines of `make bench` (never part of the product, never mounted by it).

    BENCH_DATABASE_URL=sqlite:////tmp/x.db .venv/bin/uvicorn bench.baseline_app:app --port 8766

(A) `GET /bare`: a fixed customer-sized JSON document (about the size of a full customer
    with an address, a bank account and a contact), serialized once at start: the floor
    of uvicorn + FastAPI routing on this machine.
(B) `GET /row/{id}`: one `customers` row by primary key with SQLAlchemy Core, from the
    same database the product serves, through the product's own engine factory (same
    pragmas and pool). An `async def` endpoint calling the sync engine inline, as the
    product's endpoints run by default (docs/concurrency.md).
"""

import datetime as dt
import decimal
import os
import uuid

import orjson
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response
from sqlalchemy import select

from custreg.customers.models import Customer
from custreg.db.engine import make_engine

app = FastAPI(title="custreg bench baselines", docs_url=None, redoc_url=None, openapi_url=None)
engine = make_engine(os.environ.get("BENCH_DATABASE_URL") or os.environ["CUSTREG_DATABASE_URL"])
customers = Customer.__table__
# Every column but the stored document: what a row-by-id read of the register returns.
ROW = select(*[c for c in customers.c if c.name != "document"])

_SAMPLE = {
    "customerGuid": "7d1944ff-0997-4b85-b230-6d4a8a2ad16e",
    "customerNumber": 123456,
    "customerType": "PERSON",
    "fullName": "Frida Öberg",
    "firstName": "Frida",
    "lastName": "Öberg",
    "idNumber": "691014-1388",
    "dateOfBirth": "1969-10-14",
    "gender": "FEMALE",
    "street": "Skolgatan",
    "houseNo": "94",
    "city": "Skövde",
    "zipCode": "541 30",
    "countryCode": "SE",
    "cellularPhone": "+46722637732",
    "email": "frida.oberg2@example.se",
    "languageCode": "sv",
    "currencyCode": "SEK",
    "preferredChannel": "SMS",
    "customerTypeCode": "CONSUMER",
    "paymentTerms": "NET14",
    "latitude": 58.39844,
    "longitude": 13.84451,
    "excluded": False,
    "regDate": "2026-11-23T02:00:00Z",
    "lastUpdatedAt": "2026-11-23T02:00:00Z",
    "version": 3,
    "links": [{"rel": "self", "href": "/v1/companies/bench/customers/7d1944ff-0997-4b85-b230-6d4a8a2ad16e"}],
    "addresses": [
        {
            "addressGuid": "0b7e3c1e-6b1f-4d8e-9a51-0f3f2b6c9a10",
            "addressType": "LEGAL",
            "street": "Skolgatan",
            "houseNo": "94",
            "city": "Skövde",
            "zipCode": "541 30",
            "countryCode": "SE",
            "defaultAddress": True,
            "lastUpdatedAt": "2026-11-23T02:00:00Z",
        }
    ],
    "bankAccounts": [
        {
            "accountGuid": "5c8a3f0e-2d4b-4f7a-8e61-3a9d0c2b7e54",
            "iban": "SE7494015509572203243889",
            "bban": "94015509572203243889",
            "bic": "AIPTSESS",
            "countryCode": "SE",
            "currencyCode": "SEK",
            "defaultAccount": True,
            "lastUpdatedAt": "2026-11-23T02:00:00Z",
        }
    ],
    "contacts": [
        {
            "contactGuid": "e2a1c4d6-8f0b-4a3c-9d5e-7b6f1a2c3d4e",
            "name": "Göran Öberg",
            "role": "invoicing",
            "phone": "+46766734719",
            "email": "goran.oberg@example.se",
            "languageCode": "sv",
            "isDefault": False,
            "lastUpdatedAt": "2026-11-23T02:00:00Z",
        }
    ],
    "externalIds": [],
    "attachedUsers": [],
}
BARE = orjson.dumps(_SAMPLE)


@app.get("/bare")
async def bare() -> Response:
    return Response(BARE, media_type="application/json")


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


@app.get("/row/{row_id}")
async def row(row_id: int) -> Response:
    with engine.connect() as conn:
        found = conn.execute(ROW.where(customers.c.id == row_id)).mappings().first()
    if found is None:
        raise HTTPException(404)
    return Response(orjson.dumps({k: _plain(v) for k, v in found.items()}), media_type="application/json")
