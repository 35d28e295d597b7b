"""`custreg compact` and `custreg duplicates` (registered by custreg.cli)."""

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from custreg.cli.common import console, database_url
from custreg.db.migrate import upgrade
from custreg.db.session import Database
from custreg.settings import get_settings


def _database() -> Database:
    url = database_url()
    upgrade(url)
    return Database.from_url(url, busy_timeout_ms=get_settings().sqlite_busy_timeout_ms)


def compact_cmd() -> None:
    """After erasures: merge the search index, VACUUM and empty the WAL (SQLite), or VACUUM
    (PostgreSQL), so erased values leave the database files (docs/privacy.md)."""
    from custreg.privacy import compact

    db = _database()
    try:
        compact.compact(db.engine)
    finally:
        db.engine.dispose()
    console.print("[green]database compacted[/green]")


def duplicates_cmd(company: str = typer.Option(..., "--company", help="cuid of the company")) -> None:
    """Find the company's candidate duplicate pairs and store them (GET /customers/duplicates
    serves them; docs/duplicates.md)."""
    from sqlalchemy import func, select

    from custreg.companies import service as companies
    from custreg.customers.models import Customer
    from custreg.duplicates import service
    from custreg.errors import NotFound

    db = _database()
    try:
        with db.session(write=True) as session:
            try:
                found = companies.get(session, company)
            except NotFound:
                console.print(f"[red]no company {company!r}[/red]")
                raise typer.Exit(2) from None
            total = session.scalar(select(func.count(Customer.id)).where(Customer.company_id == found.id)) or 0
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                task = progress.add_task("customers read", total=total)
                pairs = service.compute(session, found, progress=lambda n: progress.advance(task, n))
            session.commit()
    finally:
        db.engine.dispose()
    console.print(f"[green]{total} customers, {pairs} candidate pairs stored[/green]")


def register(app) -> None:
    app.command("compact")(compact_cmd)
    app.command("duplicates")(duplicates_cmd)
