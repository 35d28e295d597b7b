"""Import of Billmate's own CSV export (`GET /customers/export/csv`): one customer per row,
the export's header naming the columns (in any order; a subset is fine). A row whose
`mexcParamvaluesetsid` is a customer of the company updates it (the row's columns
replace its values, an empty cell clears); any other row creates a customer. All rows or
none: one bad row refuses the file, naming `row N: field`."""

import csv
import io
from typing import Any

from custreg.compat.billmate.mapping import FIELD_ORDER
from custreg.compat.billmate.write import write
from custreg.customers import service
from custreg.customers import writer as customer_writer
from custreg.customers.models import Customer
from custreg.errors import BadRequest, DomainError, NotFound, PayloadTooLarge

MAX_ROWS = 1000  # rows one request imports (each row is a customer write)
IGNORED = frozenset({"mexcParamvaluesetsid", "date", "country", "deliverycountry"})  # derived on export


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The CSV is not UTF-8", [{"field": "body", "message": "not UTF-8"}]) from None
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in r)]
    if not rows:
        raise BadRequest("The CSV is empty", [{"field": "body", "message": "no header row"}])
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in FIELD_ORDER]
    if unknown:
        raise BadRequest(
            f"Unknown column(s): {', '.join(unknown[:10])}",
            [{"field": h, "message": "not a column of Billmate's export"} for h in unknown[:10]],
        )
    if len(rows) - 1 > MAX_ROWS:
        raise PayloadTooLarge(f"At most {MAX_ROWS} rows per import", [{"field": "body", "message": "too many rows"}])
    return header, rows[1:]


def _existing(ctx, value: str) -> Customer | None:
    if not value.strip().isdigit():
        return None
    try:
        return service.get(ctx.session, ctx.company, value.strip(), for_update=True)
    except NotFound:
        return None


def run(ctx, data: bytes) -> dict[str, int]:
    header, rows = _rows(data)
    done = {"created": 0, "updated": 0}
    for n, row in enumerate(rows, start=2):  # line numbers as a spreadsheet shows them
        if len(row) != len(header):
            raise BadRequest(
                f"row {n}: {len(row)} cells, the header has {len(header)}",
                [{"field": f"row {n}", "message": "wrong number of cells"}],
            )
        values: dict[str, Any] = dict(zip(header, row, strict=True))
        current = _existing(ctx, values.get("mexcParamvaluesetsid", ""))
        body = {k: (v if v.strip() else None) for k, v in values.items() if k not in IGNORED}
        try:
            write(ctx, current, body)
        except DomainError as exc:
            for e in exc.errors:
                e["field"] = f"row {n}: {e['field']}"
            exc.detail = f"row {n}: {exc.detail}"
            raise
        customer_writer.flush(ctx.session)
        done["updated" if current is not None else "created"] += 1
    return done
