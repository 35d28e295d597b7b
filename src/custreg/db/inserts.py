"""Many new rows of one table in one round: `Rows(table, columns).write(session, values)`
with driver-ready tuples. SQLite: one executemany through SQLAlchemy (the statement log shows
it); PostgreSQL: COPY for more than one row (the one driver-level write of the code base),
an executemany for one. The write path of new customers uses it (customers/writer.py)."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

_MADE: dict[tuple[str, str, tuple[str, ...]], "Rows"] = {}


class Rows:
    def __init__(self, table: Table, columns: tuple[str, ...], dialect: Any) -> None:
        self.name, self.columns = table.name, columns
        self.postgres = dialect.name == "postgresql"
        mark = "%s" if self.postgres else "?"
        self.sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        self.copy_sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        time_column = next((c for c in ("last_updated_at", "at") if c in table.c), None)
        self._time = None if time_column is None or self.postgres else table.c[time_column].type.bind_processor(dialect)

    @classmethod
    def of(cls, session: Session, table: Table, columns: tuple[str, ...]) -> "Rows":
        """The Rows of these columns for the session's dialect, made once."""
        dialect = session.get_bind().dialect
        key = (dialect.name, table.name, columns)
        found = _MADE.get(key)
        if found is None:
            found = _MADE[key] = cls(table, columns, dialect)
        return found

    def bind_time(self, when):
        """A time as the driver takes it for this table's time column."""
        return when if self._time is None else self._time(when)

    def write(self, session: Session, values: list[tuple]) -> None:
        if not values:
            return
        conn = session.connection()
        if self.postgres and len(values) > 1:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            with driver.cursor().copy(self.copy_sql) as copy:
                for v in values:
                    copy.write_row(v)
            return
        conn.exec_driver_sql(self.sql, values if len(values) > 1 else values[0])
