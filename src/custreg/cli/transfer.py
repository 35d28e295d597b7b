"""`custreg export`, `custreg import`, `custreg prune` and `custreg lines` (registered by custreg.cli)."""

import csv
import datetime as dt
import getpass
import io
import os
import time
from pathlib import Path
from typing import cast

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import delete, func, select

from custreg.cli.common import console, database_url
from custreg.companies import service as companies
from custreg.customers import audit
from custreg.customers import queries as customer_queries
from custreg.customers.models import Customer
from custreg.db.base import utcnow
from custreg.db.idempotency import IdempotencyKey
from custreg.db.migrate import upgrade
from custreg.db.session import Database
from custreg.errors import DomainError, NotFound
from custreg.paging import ListParams
from custreg.settings import get_settings
from custreg.sync import bulk, csv_format, dialects, export, feed, import_rows, importer, lines


def _database():
    url = database_url()
    upgrade(url)
    return Database.from_url(url, busy_timeout_ms=get_settings().sqlite_busy_timeout_ms)


def _company(session, cuid: str):
    try:
        return companies.get(session, cuid)
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from None


def export_cmd(
    company: str = typer.Option(..., "--company", help="cuid of the company"),
    fmt: str = typer.Option("csv", "--format", help="csv or xml"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: customers-<cuid>.<format>)"
    ),
    filter_: str | None = typer.Option(None, "--filter", help="OData $filter, as on the list"),
    include_excluded: bool = typer.Option(False, "--include-excluded", help="Include customers marked excluded"),
    dialect: str = typer.Option(
        "rfc4180", "--dialect", help="CSV: rfc4180 (`,`) or excel (`;` and a UTF-8 BOM, for Nordic spreadsheets)"
    ),
) -> None:
    """Export a company's customers to a CSV or XML file (docs/export.md), with a progress bar."""
    if fmt not in ("csv", "xml"):
        console.print("[red]--format must be csv or xml[/red]")
        raise typer.Exit(2)
    if dialect not in dialects.DIALECTS or (dialect != "rfc4180" and fmt != "csv"):
        console.print("[red]--dialect must be rfc4180 or excel, and excel is for --format csv[/red]")
        raise typer.Exit(2)
    db = _database()
    output = output or Path(f"customers-{company}.{fmt}")
    try:
        with db.session(write=False) as session:
            c = _company(session, company)
            try:
                where = customer_queries.conditions(
                    c,
                    ListParams(filter=filter_),
                    dialect=db.dialect,
                    search_word=None,
                    from_date=None,
                    include_excluded=include_excluded,
                )
                total = customer_queries.count(
                    session,
                    c,
                    ListParams(filter=filter_),
                    search_word=None,
                    from_date=None,
                    include_excluded=include_excluded,
                )
            except DomainError as exc:
                console.print(f"[red]{exc.detail}[/red]")
                raise typer.Exit(2) from None
            session.rollback()
        written = 0
        with Progress(
            TextColumn("[bold]export[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("export", total=total)

            def counted(rows: int) -> None:
                nonlocal written
                written += rows
                progress.update(task, completed=written)

            chunks = (
                export.csv_export(db.engine, where, [], progress=counted, dialect=cast(dialects.Dialect, dialect))
                if fmt == "csv"
                else export.xml_export(db.engine, where, [], company, progress=counted)
            )
            tmp = output.with_name(output.name + ".part")
            with open(tmp, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            os.replace(tmp, output)
            progress.update(task, completed=written)
        console.print(f"[green]{written} customers of {company!r} written to {output}[/green]")
    finally:
        db.engine.dispose()


def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with the export's columns"),
    company: str = typer.Option(..., "--company", help="cuid of the company"),
    mode: str = typer.Option("all-or-nothing", "--mode", help="all-or-nothing or valid-rows"),
    jobs: int = typer.Option(
        0, "--jobs", help="Processes validating rows (0: one per core for a file over 8 MB, else 1)"
    ),
    errors: Path | None = typer.Option(
        None, "--errors", dir_okay=False, help="Write every refused row's errors here (CSV: row, field, value, message)"
    ),
) -> None:
    """Import customers from a CSV (the export's columns), with a progress bar and a summary.
    Exit code 0: written; 1: rows failed (all-or-nothing: nothing written); 2: unusable input."""
    if mode not in importer.MODES:
        console.print(f"[red]--mode must be one of {', '.join(importer.MODES)}[/red]")
        raise typer.Exit(2)
    db = _database()
    size = file.stat().st_size
    session = db.session(write=True)
    session.info["actor"] = ("cli", getpass.getuser())
    if db.dialect == "sqlite":
        # This connection only: a larger page cache for the indexes the import fills, and
        # temporary b-trees in memory. Durability stays (WAL, synchronous=NORMAL).
        session.connection().exec_driver_sql("PRAGMA cache_size=-16384")
        session.connection().exec_driver_sql("PRAGMA temp_store=MEMORY")
    lines = _lines(file)
    started = time.monotonic()
    refused: list[tuple[int, str, str]] = []
    try:
        # No refresh thread (auto_refresh=False): the validating workers are forked from
        # this process, which must not run other threads then. Refreshed as rows are read.
        with Progress(
            TextColumn("[bold]import[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            _RowRate(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            auto_refresh=False,
        ) as progress:
            task = progress.add_task("import", total=max(lines - 1, 1))  # about: a cell may hold a line break
            shown = [0.0]

            def on_row(row: int) -> None:
                if row % 256:
                    return
                progress.update(task, completed=row - 1)
                now = time.monotonic()
                if now - shown[0] >= 0.25:
                    shown[0] = now
                    progress.refresh()

            with open(file, "rb") as raw:
                delimiter = dialects.delimiter_of(raw)  # `;` files (the excel dialect) too
                stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                c = _company(session, company)
                large = bulk.LargeLoad.start(session, lines) if mode == "all-or-nothing" else None
                try:
                    report = importer.run(
                        session,
                        c,
                        stream,
                        mode,
                        progress=on_row,
                        jobs=jobs or (os.cpu_count() or 1 if size > 8 * 1024 * 1024 else 1),
                        large=large,
                        delimiter=delimiter,
                        on_error=None if errors is None else lambda *e: refused.append(e),
                    )
                except DomainError as exc:
                    session.rollback()
                    console.print(f"[red]{exc.detail}[/red]")
                    raise typer.Exit(2) from None
            progress.update(task, total=report.rows, completed=report.rows)
            progress.refresh()
            if report.written:
                if large is not None:
                    if large.rebuilds_indexes:
                        console.print("building the customers' indexes")
                    large.finish()
                session.commit()
                bulk.after_large_import(db.engine, report.created)
            else:
                session.rollback()
    finally:
        session.close()
        db.engine.dispose()
    _summary(report, company, time.monotonic() - started)
    if errors is not None:
        _write_errors(file, errors, refused)
        console.print(f"{len(refused)} error(s) of {report.failed} refused row(s) written to {errors}")
    if report.failed:
        raise typer.Exit(1)


def _write_errors(file: Path, out: Path, refused: list[tuple[int, str, str]]) -> None:
    """The errors as CSV (row, field, value, message), each with the cell its field names,
    read from the file again (rows numbered as the import numbers them: the header is 1)."""
    wanted: dict[int, list[tuple[str, str]]] = {}
    for row, field, message in refused:
        wanted.setdefault(row, []).append((field, message))
    csv.field_size_limit(import_rows.CELL_LIMIT)
    with open(file, "rb") as raw, open(out, "w", newline="", encoding="utf-8") as f:
        delimiter = dialects.delimiter_of(raw)
        reader = csv.reader(
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", errors="replace"), delimiter=delimiter
        )
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["row", "field", "value", "message"])
        header: list[str] = []
        row = 0
        while wanted:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                cells = []
            row += 1
            if row == 1:
                header = [h.strip() for h in cells]
            for field, message in wanted.pop(row, ()):
                column = field.split(".", 1)[0]
                value = cells[header.index(column)] if column in header and len(cells) == len(header) else ""
                writer.writerow([row, field, csv_format.neutralize(value), message])
        for row, found in sorted(wanted.items()):  # past the end of what could be read
            writer.writerows([row, field, "", message] for field, message in found)


class _RowRate(ProgressColumn):
    """Rows a second, as the bar has seen them."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "…/s")


def _lines(file: Path) -> int:
    """Lines in the file (about its rows: a quoted cell may hold a line break)."""
    with open(file, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _summary(report, company: str, seconds: float) -> None:
    table = Table(title=f"import into {company!r} ({report.mode})", show_header=False)
    table.add_row("rows read", str(report.rows))
    table.add_row("created", str(report.created if report.written else 0))
    table.add_row("updated", str(report.updated if report.written else 0))
    table.add_row("failed rows", str(report.failed))
    table.add_row("time", f"{seconds:,.1f} s")
    table.add_row("rate", f"{report.rows / seconds:,.0f} rows/s" if seconds > 0 else "-")
    console.print(table)
    if report.errors:
        errors = Table("row", "field", "message", title="errors")
        for e in report.errors[:50]:
            errors.add_row(str(e["row"]), e["field"], e["message"])
        console.print(errors)
        more = len(report.errors) - 50 + report.errors_truncated
        if more > 0:
            console.print(f"... and {more} more")
    if report.failed and not report.written:
        console.print("[red]nothing was written (all-or-nothing); fix the rows or use --mode valid-rows[/red]")
    elif report.failed:
        console.print(f"[yellow]{report.failed} row(s) skipped[/yellow]")
    else:
        console.print("[green]all rows written[/green]")


def prune_cmd(
    days: int | None = typer.Option(
        None, "--days", help="Change-feed retention in days (default: CUSTREG_CHANGE_RETENTION_DAYS)"
    ),
    event_days: int | None = typer.Option(
        None, "--event-days", min=0, help="Events' retention in days (default: CUSTREG_EVENT_RETENTION_DAYS)"
    ),
    audit_days: int | None = typer.Option(
        None,
        "--audit-days",
        min=1,
        help="Audit entries older than this many days are deleted (default: CUSTREG_AUDIT_RETENTION_DAYS; unset: kept)",
    ),
) -> None:
    """Compact the change feed (superseded entries and tombstones older than the retention),
    delete expired Idempotency-Keys, events with their finished deliveries (and finished
    service invocations) older than CUSTREG_EVENT_RETENTION_DAYS (docs/events.md) and audit
    entries older than the audit retention."""
    from custreg.custom_services import service as custom_services
    from custreg.events import service as events

    days = days if days is not None else get_settings().change_retention_days
    event_days = event_days if event_days is not None else get_settings().event_retention_days
    audit_days = audit_days if audit_days is not None else get_settings().audit_retention_days
    db = _database()
    try:
        with db.session(write=True) as session:
            removed = feed.prune(session, older_than=utcnow() - dt.timedelta(days=days))
            keys = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= utcnow())).rowcount or 0
            gone, deliveries = events.prune(session, older_than=utcnow() - dt.timedelta(days=event_days))
            invocations = custom_services.prune(session, older_than=utcnow() - dt.timedelta(days=event_days))
            entries = 0
            if audit_days is not None:
                entries = audit.prune(session, older_than=utcnow() - dt.timedelta(days=audit_days))
            session.commit()
    finally:
        db.engine.dispose()
    kept = f"{entries} audit entries older than {audit_days} days deleted" if audit_days else "audit entries kept"
    for line in (  # one line each, so no terminal width breaks one
        f"change feed: {removed} entries removed (older than {days} days)",
        f"idempotency keys: {keys} expired ones deleted",
        f"events: {gone} events, {deliveries} deliveries and {invocations} finished service invocations "
        f"removed (older than {event_days} days)",
        kept,
    ):
        console.print(f"[green]{line}[/green]", soft_wrap=True)


def lines_cmd(company: str | None = typer.Option(None, "--company", help="cuid (default: every company)")) -> None:
    """Store the CSV export lines of customers that have none (docs/export.md, "Stored
    lines"): after upgrading to migration 0013, or after rows an import wrote one by one."""
    db = _database()
    try:
        company_id = None
        with db.session(write=False) as session:
            count = select(func.count()).select_from(Customer)
            if company is not None:
                company_id = _company(session, company).id
                count = count.where(Customer.company_id == company_id)
            total = session.scalar(count)
        with Progress(
            TextColumn("[bold]lines[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("lines", total=total)
            done = lines.fill(db, company_id, progress=lambda n: progress.advance(task, n))
            progress.update(task, completed=total)
    finally:
        db.engine.dispose()
    console.print(f"[green]{done} lines stored[/green]")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
    app.command("import")(import_cmd)
    app.command("prune")(prune_cmd)
    app.command("lines")(lines_cmd)
