"""A Core statement compiled once per dialect and run on the driver's cursor.

For statements on a hot path where SQLAlchemy's work per execution (cache key, parameter
set-up, result object) costs more than the statement: the POST's audit INSERT and its
number's UPDATE … RETURNING. The same SQL text and the column types' own bind conversions,
without that work. Measured on a plain POST under cProfile (bench/post_cpu.py, so slower
than real): the audit entries 0.94 → 0.52 ms, taking the number (BEGIN included) 1.2 → 0.9 ms."""

from typing import Any


class DriverStatement:
    def __init__(self, statement) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def _for(self, dialect) -> tuple:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            processors = dict(compiled._bind_processors)  # the types' bind conversions
            names = tuple(compiled.positiontup) if compiled.positional else None
            # The statement's own values (literals, bindparam defaults), converted once.
            defaults = {
                n: _convert(processors, n, v) for n, v in compiled.construct_params(_check=False).items()
            }
            found = self._compiled[dialect.name] = (compiled.string, processors, names, defaults)
        return found

    def bound(self, dialect, params: dict[str, Any] | None = None) -> tuple[str, tuple | dict]:
        """(SQL text, the driver's parameters): `params` over the statement's own values."""
        sql, processors, names, defaults = self._for(dialect)
        values = {**defaults, **{n: _convert(processors, n, v) for n, v in (params or {}).items()}}
        return sql, (values if names is None else tuple(values[n] for n in names))

    def execute(self, conn, params: dict[str, Any] | list[dict[str, Any]], cursor=None):
        """Run on `conn` (a SQLAlchemy Connection inside its transaction), on `cursor` or a
        new cursor of the driver's, which it returns."""
        cursor = cursor or conn.connection.driver_connection.cursor()
        if isinstance(params, list):
            sql = self._for(conn.dialect)[0]
            cursor.executemany(sql, [self.bound(conn.dialect, p)[1] for p in params])
        else:
            cursor.execute(*self.bound(conn.dialect, params))
        return cursor


def _convert(processors: dict, name: str, value: Any) -> Any:
    return processors[name](value) if value is not None and name in processors else value
