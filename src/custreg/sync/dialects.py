"""The CSV export's two dialects, and the import's reading of either (docs/export.md, "Dialects").

`rfc4180` (the default): the stored lines as they are, `,` between cells, no BOM.
`excel`: for spreadsheets whose list separator is `;` (Finnish, Swedish, Norwegian, Danish
locales), opened with a double click: `;` between cells and a UTF-8 BOM, so Excel splits the
columns and reads the text as UTF-8. The cells are the same (formula neutralization included);
only the separator changes, and a cell holding `;` is quoted too.
"""

import csv
import functools
import io
import re
from collections.abc import Iterable
from typing import IO, Literal

from custreg.limits import too_many
from custreg.sync.csv_format import COLUMNS

Dialect = Literal["rfc4180", "excel"]
DIALECTS: tuple[Dialect, ...] = ("rfc4180", "excel")
BOM = "\ufeff"
EXCEL_HEADER = BOM + ";".join(COLUMNS) + "\r\n"
_QUOTED = re.compile(r'[,;"\r\n]')


def header(dialect: Dialect) -> str:
    return EXCEL_HEADER if dialect == "excel" else ",".join(COLUMNS) + "\r\n"


def excel_cell(cell: str) -> str:
    """A cell of the excel dialect: quoted when it holds `,` `;` `"` CR or LF (the comma
    dialect's rule plus `;`), its quotes doubled."""
    return '"' + cell.replace('"', '""') + '"' if _QUOTED.search(cell) else cell


def excel_text(lines: Iterable[str]) -> str:
    """Comma lines (each one CSV record with its CRLF, as `csv_format.csv_lines` writes them)
    re-written with `;`, each by the cheapest way that is exact for it (lines of ≈ 270
    characters, a loaded 2-core machine; the comma dialect's join costs ≈ 0.01-0.05 µs a line):

    - no `"` and no `;`: no cell is quoted, so every comma is a separator: `str.replace`
      (≈ 0.6-1.3 µs a line);
    - `"` but no `;`: the pieces between the line's quotes are the quoted cells' text (an
      escaped `""` adds an empty piece and keeps the parity), so the commas in the other pieces
      are the separators; the cells keep their quotes, which is `excel_cell`'s rule since no
      cell holds a `;` (≈ 2.3-3.5 µs; parsing and writing every such line again: ≈ 12-14 µs);
    - a `;` somewhere (rare): parsed, and each cell written by `excel_cell` (≈ 15-28 µs).
    """
    out: list[str] = []
    for line in lines:
        if ";" in line:
            cells = next(csv.reader([line], strict=True))
            out.append(";".join([excel_cell(cell) for cell in cells]) + "\r\n")
        elif '"' in line:
            pieces = line.split('"')
            pieces[::2] = [piece.replace(",", ";") for piece in pieces[::2]]
            out.append('"'.join(pieces))
        else:
            out.append(line.replace(",", ";"))
    return "".join(out)


def delimiter_of(raw: IO[bytes]) -> str:
    """The delimiter of a CSV file from its header line, the file left where it was: `;` when
    that line holds a `;` and no `,` (the export's excel dialect, or a spreadsheet's "CSV" in a
    Nordic locale), else `,`. Bytes, not text: a file that is not UTF-8 is the importer's to report."""
    at = raw.tell()
    first = raw.read(64 * 1024).split(b"\n", 1)[0]
    raw.seek(at)
    return ";" if b";" in first and b"," not in first else ","


def check_rows(spool: IO[bytes], delimiter: str, max_rows: int) -> None:
    """413 when the spooled CSV has more than `max_rows` data rows, before any is written
    (the valid-rows mode commits as it goes). Lines are counted first (C speed); only a
    file with more lines than the limit has its records counted (quoted cells may hold
    line breaks)."""
    lines = sum(chunk.count(b"\n") for chunk in iter(functools.partial(spool.read, 1 << 20), b""))
    spool.seek(0)
    if lines > max_rows:
        stream = io.TextIOWrapper(spool, encoding="utf-8-sig", errors="replace", newline="")
        try:
            records = sum(1 for cells in csv.reader(stream, delimiter=delimiter) if any(c.strip() for c in cells))
        except csv.Error:
            records = 0  # unreadable: the import itself names the row
        finally:
            stream.detach()
            spool.seek(0)
        if records - 1 > max_rows:  # the header is not a data row
            raise too_many("rows", max_rows, "rows")
