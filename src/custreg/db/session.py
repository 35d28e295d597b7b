"""Database handle: one engine per process, sessions for reads and for writes."""

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from custreg.db.engine import BUSY_TIMEOUT_MS, make_engine


@dataclass
class Database:
    engine: Engine
    # How long a write may wait for a lock (the engine's busy timeout / lock_timeout): also
    # how long it may wait in a worker's writer lane before it starts (db/execution.py).
    lock_wait_s: float = BUSY_TIMEOUT_MS / 1000
    _read: sessionmaker = field(init=False)
    _write: sessionmaker = field(init=False)

    def __post_init__(self) -> None:
        write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        read_engine = self.engine
        if self.engine.dialect.name == "postgresql":
            # Reads in autocommit: no BEGIN and COMMIT round trips around a one-statement
            # GET. Under READ COMMITTED every statement takes its own snapshot either way,
            # so a read sees exactly what it saw inside a transaction (docs/concurrency.md).
            read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(read_engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(write_engine, expire_on_commit=False, autoflush=False)

    @classmethod
    def from_url(cls, url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kw) -> "Database":
        return cls(make_engine(url, busy_timeout_ms=busy_timeout_ms, **kw), lock_wait_s=busy_timeout_ms / 1000)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, write: bool) -> Session:
        return (self._write if write else self._read)()
