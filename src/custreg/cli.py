"""`custreg` command line: serve, migrate, demo, admin-token."""

import os
import sys

import typer
from rich.console import Console

from custreg.settings import get_settings

app = typer.Typer(help="custreg: a self-hostable customer register", no_args_is_help=True)
console = Console(stderr=True)


def _migrate() -> None:
    from custreg.db.migrate import upgrade

    upgrade(get_settings().database_url)


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    _migrate()
    console.print("[green]database is up to date[/green]")


def _announce_token(token: str, host: str, port: int, *, rotated: bool = False) -> None:
    what = "New admin token (the old one no longer works)" if rotated else "Admin token created"
    out = Console(stderr=True, soft_wrap=True)  # never wrap: the curl line must paste whole
    out.print(f"\n[bold green]{what}[/bold green] - shown once, only its hash is stored:\n")
    out.print(f"    [bold yellow]{token}[/bold yellow]\n")
    out.print("Try it:")
    out.print(f"    curl -H 'Authorization: Bearer {token}' http://{host}:{port}/v1/companies\n",
              markup=False, highlight=False)
    out.print("Rotate it with `custreg admin-token --rotate`, or set CUSTREG_ADMIN_TOKEN to your own.\n",
              markup=False)


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (CUSTREG_HOST)"),
    port: int = typer.Option(None, help="Port (CUSTREG_PORT)"),
    workers: int = typer.Option(None, help="Worker processes (CUSTREG_WORKERS)"),
    migrate_first: bool = typer.Option(True, "--migrate/--no-migrate", help="Apply migrations first"),
) -> None:
    """Serve the API (applies migrations first)."""
    import uvicorn

    s = get_settings()
    host, port, workers = host or s.host, port or s.port, workers or s.workers
    if migrate_first:
        _migrate()
    if not s.admin_token:
        from custreg.access import bootstrap
        from custreg.db.engine import make_engine

        engine = make_engine(s.database_url)
        if not bootstrap.has_stored_token(engine):
            _announce_token(bootstrap.rotate(engine), host, port)
        engine.dispose()
    console.print(f"custreg on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    uvicorn.run("custreg.main:app", host=host, port=port, workers=workers,
                log_level=s.log_level, access_log=False)


@app.command("admin-token")
def admin_token(rotate: bool = typer.Option(False, "--rotate", help="Replace the stored admin token")) -> None:
    """Create (or, with --rotate, replace) the stored admin token and print it once."""
    from custreg.access import bootstrap
    from custreg.db.engine import make_engine

    s = get_settings()
    _migrate()
    engine = make_engine(s.database_url)
    if bootstrap.has_stored_token(engine) and not rotate:
        console.print("An admin token exists already; use --rotate to replace it.")
        raise typer.Exit(1)
    _announce_token(bootstrap.rotate(engine), s.host, s.port, rotated=rotate)


@app.command()
def demo(company: str = typer.Option("demo", help="cuid of the demo company")) -> None:
    """Load a demo company with a few dozen realistic Nordic customers."""
    from custreg.demo import load

    _migrate()
    n = load(get_settings().database_url, company)
    console.print(f"[green]company {company!r} has {n} demo customers[/green]")


def main() -> None:  # pragma: no cover
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
