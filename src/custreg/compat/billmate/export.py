"""The Billmate (seed 003) export: the native export's streamed rows (flat memory), renamed to
the seed's fields; each batch gets its DELIVERY/LEGAL addresses and billmate.* parameters in
two more queries. CSV or XML, streamed."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse
from sqlalchemy import select

from custreg.addresses.models import Address
from custreg.compat.billmate.mapping import FIELD_ORDER, shape
from custreg.customers.models import Customer
from custreg.parameters.models import PartyParameter
from custreg.sync import csv_format, export, xml_format


def _enriched(engine, company_id: int, batch: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    numbers = [r["customerNumber"] for r in batch]
    delivery: dict[int, dict[str, Any]] = {}
    care_of: dict[int, str | None] = {}
    params: dict[int, dict[str, str]] = {}
    mine = [Customer.company_id == company_id, Customer.customer_number.in_(numbers)]
    with engine.connect() as conn:
        for row in conn.execute(
            select(
                Customer.customer_number,
                Address.address_type,
                Address.full_name,
                Address.street,
                Address.care_of,
                Address.zip_code,
                Address.city,
                Address.country_code,
            )
            .join(Customer, Customer.id == Address.customer_id)
            .where(*mine, Address.default_address.is_(True), Address.address_type.in_(("LEGAL", "DELIVERY")))
        ):
            if row.address_type == "LEGAL":
                care_of[row.customer_number] = row.care_of
            else:
                delivery[row.customer_number] = {
                    "fullName": row.full_name,
                    "street": row.street,
                    "careOf": row.care_of,
                    "zipCode": row.zip_code,
                    "city": row.city,
                    "countryCode": row.country_code,
                }
        for row in conn.execute(
            select(Customer.customer_number, PartyParameter.name, PartyParameter.value)
            .join(Customer, Customer.id == PartyParameter.customer_id)
            .where(*mine, PartyParameter.name.like("billmate.%"))
        ):
            params.setdefault(row.customer_number, {})[row.name.removeprefix("billmate.")] = row.value
        conn.rollback()
    for rec in batch:
        n = rec["customerNumber"]
        yield shape(rec, delivery.get(n), care_of.get(n), params.get(n, {}))


def _rows(engine, company_id: int, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    batch: list[dict[str, Any]] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= csv_format.BATCH:
            yield from _enriched(engine, company_id, batch)
            batch = []
    if batch:
        yield from _enriched(engine, company_id, batch)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return csv_format.neutralize(text) if text and text[0] in (*csv_format.FORMULA_START, "'") else text


def _csv(rows: Iterable[dict[str, Any]], size: int = 64 * 1024) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FIELD_ORDER)
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in FIELD_ORDER])
        if buf.tell() >= size:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _xml(rows: Iterable[dict[str, Any]], cuid: str) -> Iterator[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8"?>\n<customers company="{xml_format.xml_escape(cuid)}">\n').encode()
    for row in rows:
        fields = "".join(
            f"    <{f}>{xml_format.xml_escape(str(row[f]))}</{f}>\n"
            for f in FIELD_ORDER
            if row.get(f) not in (None, "")
        )
        yield f"  <customer>\n{fields}  </customer>\n".encode()
    yield b"</customers>\n"


MEDIA = {"csv": "text/csv; charset=utf-8", "xml": "application/xml; charset=utf-8"}


def stream(ctx, fmt: str, where: list, order: list, id_chunks=None) -> StreamingResponse:
    """The customers that `where` (or `id_chunks`) select, as a streamed CSV or XML download."""
    engine = ctx.request.app.state.db.engine
    rows = _rows(engine, ctx.company.id, export.stream_records(engine, where, order, id_chunks))
    body = _csv(rows) if fmt == "csv" else _xml(rows, ctx.cuid)
    return StreamingResponse(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="billmate-customers-{ctx.cuid}.{fmt}"'},
    )
