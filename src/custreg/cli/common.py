"""What the commands share: the console (stderr) and the database in use, named once per command."""

from pathlib import Path

from rich.console import Console
from sqlalchemy.engine import make_url

from custreg.settings import DATABASE_FILE, get_settings

console = Console(stderr=True)
_named: set[str] = set()  # the databases said already (a command may open its database twice)


def describe(url: str) -> str:
    """The database for people: a SQLite file's absolute path, a server URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return "SQLite in memory"
        return f"SQLite {Path(parsed.database).absolute()}"
    return parsed.render_as_string(hide_password=True)


def database_url() -> str:
    """The settings' database URL; the first call says on stderr which database that is, and
    warns when a `custreg.db` here (the default before the data directory) is not the one used."""
    s = get_settings()
    url = s.database_url
    if url in _named:
        return url
    _named.add(url)
    console.print(f"database: {describe(url)}", markup=False, highlight=False)
    default = s.data_dir / DATABASE_FILE
    here = Path(DATABASE_FILE).absolute()
    if url == f"sqlite:///{default}" and here.exists() and here != default:
        console.print(
            f"[yellow]warning: {here} is not used: the default database is {default} "
            f"(CUSTREG_DATA_DIR). To use that file: CUSTREG_DATABASE_URL=sqlite:///{here}, or move it "
            "(with its -wal and -shm files) to the data directory.[/yellow]",
            highlight=False,
        )
    return url
