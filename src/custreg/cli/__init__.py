"""`custreg` command line: serve, migrate, demo, admin-token, company, client, user-token.
Every command that uses the database names it on stderr first (cli/common.py)."""

import typer
from rich.console import Console

from custreg import bootstrap
from custreg.cli.common import console, database_url
from custreg.cli.privacy import register as register_privacy
from custreg.cli.transfer import register as register_transfer
from custreg.settings import get_settings

app = typer.Typer(help="custreg: a self-hostable customer register", no_args_is_help=True)


@app.callback()
def _start() -> None:
    # Every command runs with every domain's hooks, as the HTTP app does.
    bootstrap.wire()


def _migrate() -> None:
    from custreg.db.migrate import upgrade

    upgrade(database_url())


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
    out.print(
        f"    curl -H 'Authorization: Bearer {token}' http://{host}:{port}/v1/companies\n",
        markup=False,
        highlight=False,
    )
    out.print("Rotate it with `custreg admin-token --rotate`, or set CUSTREG_ADMIN_TOKEN to your own.\n", markup=False)


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

        engine = make_engine(database_url())
        if not bootstrap.has_stored_token(engine):
            _announce_token(bootstrap.rotate(engine), host, port)
        engine.dispose()
    console.print(f"custreg on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    from custreg import serving

    # The events' worker beside the API (CUSTREG_SERVE_WORKER=false: run `custreg worker` apart).
    companion = serving.Companion().start() if s.serve_worker else None
    try:
        if workers > 1 and serving.reuse_port_supported():
            raise typer.Exit(serving.run_workers(workers, host, port, s.loop, s.log_level))
        uvicorn.run(
            "custreg.main:app",
            host=host,
            port=port,
            workers=workers,
            http=serving.PROTOCOL,
            loop=s.loop,
            log_level=s.log_level,
            log_config=serving.log_config(s.log_level),
            access_log=False,  # custreg's own (observe.py) names the route template, not the path
        )
    finally:
        if companion is not None:
            companion.stop()


@app.command()
def worker(
    parent: int = typer.Option(None, "--parent", hidden=True, help="End when this process is gone (serve's)"),
) -> None:
    """Deliver events (docs/events.md): fan new ones out to the webhook endpoints, publish them
    to CUSTREG_EVENTS_AMQP_URL when set, send due deliveries with retries. Runs until SIGTERM
    or SIGINT. `custreg serve` starts one; on PostgreSQL run more to scale out."""
    import logging
    import signal

    from custreg.events.worker import Worker

    s = get_settings()
    logging.basicConfig(level=s.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    _migrate()  # a worker started alone before the API finds its tables
    events = Worker(s, parent=parent)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: events.stopping.set())
    events.run()


@app.command("admin-token")
def admin_token(rotate: bool = typer.Option(False, "--rotate", help="Replace the stored admin token")) -> None:
    """Create (or, with --rotate, replace) the stored admin token and print it once."""
    from custreg.access import bootstrap
    from custreg.db.engine import make_engine

    s = get_settings()
    _migrate()
    engine = make_engine(database_url())
    if bootstrap.has_stored_token(engine) and not rotate:
        console.print("An admin token exists already; use --rotate to replace it.")
        raise typer.Exit(1)
    _announce_token(bootstrap.rotate(engine), s.host, s.port, rotated=rotate)


@app.command()
def demo(company: str = typer.Option("demo", help="cuid of the demo company")) -> None:
    """Load a demo company with a few dozen realistic Nordic customers. Idempotent: a company
    that has customers already is left as it is."""
    from custreg.demo import load

    _migrate()
    n, loaded = load(database_url(), company)
    if loaded:
        console.print(f"[green]company {company!r} has {n} demo customers[/green]")
    else:
        console.print(f"company {company!r} has {n} customers already: nothing loaded", markup=False)


client_app = typer.Typer(help="API clients (OAuth2 client credentials)", no_args_is_help=True)
app.add_typer(client_app, name="client")


def _engine():
    from custreg.db.engine import make_engine

    _migrate()
    return make_engine(database_url())


@client_app.command("create")
def client_create(
    company: list[str] = typer.Option(..., "--company", help="cuid the client may touch (repeatable)"),
    scope: list[str] = typer.Option(
        ..., "--scope", help="customers:read, customers:write, customers:delete, register:admin or admin (repeatable)"
    ),
    name: str = typer.Option(None, "--name", help="A name for people (default: the companies)"),
) -> None:
    """Create an API client; prints its clientId and secret (shown once)."""
    from sqlalchemy.orm import Session

    from custreg.access import clients, secret_box
    from custreg.errors import DomainError
    from custreg.settings import get_settings

    box = secret_box.for_settings(get_settings())
    engine = _engine()
    try:
        with Session(engine) as s, s.begin():
            new = clients.create(s, box, name=name or ", ".join(company), companies=company, granted=scope)
            client_id, secret = new.client.client_id, new.secret
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        for e in exc.errors:
            console.print(f"  {e['field']}: {e['message']}", markup=False)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    console.print("API client created; the secret is shown once (stored hashed and encrypted):")
    typer.echo(f"clientId: {client_id}")
    typer.echo(f"clientSecret: {secret}")


@client_app.command("list")
def client_list() -> None:
    """List API clients (never their secrets)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from custreg.access.models import ApiClient

    engine = _engine()
    with Session(engine) as s:
        rows = s.scalars(select(ApiClient).order_by(ApiClient.id)).all()
        for c in rows:
            state = f"revoked {c.revoked_at:%Y-%m-%dT%H:%M:%SZ}" if c.revoked_at else "active"
            typer.echo(f"{c.client_id}\t{state}\t{','.join(c.companies)}\t{' '.join(c.scopes)}\t{c.name}")
    engine.dispose()


@client_app.command("reseal")
def client_reseal() -> None:
    """Re-encrypt every client's sealed secret with the first key of CUSTREG_SECRET_KEY (key
    rotation: put the new key first, reseal, then drop the old key; docs/compat.md)."""
    from cryptography.fernet import InvalidToken
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from custreg.access import secret_box
    from custreg.access.models import ApiClient
    from custreg.settings import get_settings

    box = secret_box.for_settings(get_settings())
    engine = _engine()
    done = unreadable = 0
    try:
        with Session(engine) as s, s.begin():
            for c in s.scalars(select(ApiClient).where(ApiClient.secret_sealed.is_not(None))):
                try:
                    c.secret_sealed = box.rotate(c.secret_sealed or "")
                    done += 1
                except InvalidToken:
                    unreadable += 1
    finally:
        engine.dispose()
    typer.echo(f"resealed {done} client secret(s); {unreadable} no key opens")
    if unreadable:
        raise typer.Exit(1)


@client_app.command("revoke")
def client_revoke(client_id: str = typer.Argument(..., help="The clientId")) -> None:
    """Revoke an API client: its secret and every token it holds stop working at once."""
    from sqlalchemy.orm import Session

    from custreg.access import clients
    from custreg.errors import NotFound

    engine = _engine()
    try:
        with Session(engine) as s, s.begin():
            clients.revoke(s, client_id)
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"revoked {client_id}")


@app.command("user-token")
def user_token(
    sub: str = typer.Option(..., "--sub", help="The user id (the token's `sub`)"),
    lifetime: int = typer.Option(3600, help="Seconds the token is valid"),
) -> None:
    """Issue a development end-user token for /v1/customer/info, signed with
    CUSTREG_IDP_HS256_SECRET as if by the trusted identity provider (CUSTREG_IDP_ISSUER)."""
    from custreg.access.tokens import IdentityProvider

    try:
        token = IdentityProvider(get_settings()).issue_dev_token(sub, lifetime)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    typer.echo(token)


company_app = typer.Typer(help="Companies (tenants)", no_args_is_help=True)
app.add_typer(company_app, name="company")
# The CLI's names of CompanyCreate's fields, for its error messages.
COMPANY_OPTIONS = {"cuid": "CUID", "name": "--name", "countryCode": "--country", "businessId": "--business-id"}


@company_app.command("create")
def company_create(
    cuid: str = typer.Argument(..., help="Company id: 1-40 of a-z 0-9 -"),
    name: str = typer.Option(..., "--name", help="Company name"),
    country: str = typer.Option("FI", "--country", help="ISO 3166-1 alpha-2 country; the default for its customers"),
    business_id: str | None = typer.Option(None, "--business-id", help="Business ID of the company"),
) -> None:
    """Create a company as POST /v1/companies does (same validation); prints its JSON.
    Exit code 1: the company exists already; 2: an invalid value."""
    from pydantic import ValidationError

    from custreg.companies import service as companies
    from custreg.companies.schemas import CompanyCreate, CompanyRead
    from custreg.db.session import Database
    from custreg.errors import DomainError

    try:
        data = CompanyCreate(cuid=cuid, name=name, countryCode=country, businessId=business_id)
    except ValidationError as exc:
        console.print("[red]invalid company[/red]")
        for e in exc.errors():
            field = COMPANY_OPTIONS.get(str(e["loc"][0]), str(e["loc"][0])) if e["loc"] else "company"
            console.print(f"  {field}: {e['msg'].removeprefix('Value error, ')}", markup=False)
        raise typer.Exit(2) from None
    _migrate()
    db = Database.from_url(database_url(), busy_timeout_ms=get_settings().sqlite_busy_timeout_ms)
    try:
        with db.session(write=True) as session:
            created = CompanyRead.of(companies.create(session, data=data))
            session.commit()
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]", highlight=False)
        raise typer.Exit(1 if exc.status == 409 else 2) from None
    finally:
        db.engine.dispose()
    console.print(f"[green]company {created.cuid!r} created[/green]")
    typer.echo(created.model_dump_json())


register_transfer(app)  # export, import, prune, lines
register_privacy(app)  # compact, duplicates
