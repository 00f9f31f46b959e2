"""Hot read statements: built with SQLAlchemy Core once, compiled once per dialect, run on
the pool's driver connection (DESIGN §5).

SQLAlchemy stays the query builder; what it costs per execution (cache key, execution
context, result metadata, the greenlet hop of its async layer) is paid once here instead
of on every request. A :class:`Prepared` statement runs on the driver connection of the
request's pooled connection (asyncpg on PostgreSQL, aiosqlite on SQLite), outside any
explicit transaction: each statement sees the data committed when it starts, which is
what a read-only request needs. Values pass through the column types' bind and result
processors, so a row reads as the ORM would read it (aware UTC datetimes on SQLite too).

Statements still reach SQLAlchemy's ``before_cursor_execute`` listeners (the statement
counters of the tests) and its echo log (``WORKLEDGER_ECHO_SQL``, which the benchmark's
equivalence check reads), so nothing that counts or compares statements is blind to them.

Usage::

    CUSTOMER = Prepared(select(...).where(Customer.id == bindparam("id")))
    rows = await CUSTOMER.fetch(connection, id=5)   # list of tuples, in column order
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True, slots=True)
class _Compiled:
    compiled: Any
    sql: str
    names: tuple[str, ...]
    binds: dict[str, Callable[[Any], Any]]
    results: tuple[Callable[[Any], Any] | None, ...]
    keys: tuple[str, ...]
    expanding: bool
    #: Values written into the statement (``column == 5``): bound like the others.
    defaults: dict[str, Any]
    numbered: bool  # $1 placeholders (asyncpg) rather than ? (sqlite)


class Prepared:
    """One Core statement, compiled once per dialect; executed on the driver connection.

    Named ``bindparam``s are given as keyword arguments at execution; an ``expanding``
    one (``column.in_(bindparam("ids", expanding=True))``) takes a list, and its text is
    made once per list length."""

    __slots__ = ("statement", "_by_dialect", "_expanded")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}
        self._expanded: dict[tuple[str, int], tuple[str, tuple[str, ...]]] = {}

    def compiled_for(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            results = tuple(_result_processor(entry.type, dialect)
                            for entry in compiled._result_columns)
            expanding = any(b.expanding for b in compiled.binds.values())
            found = _Compiled(
                compiled, compiled.string, tuple(compiled.positiontup or ()),
                dict(compiled._bind_processors), results,
                tuple(entry.keyname for entry in compiled._result_columns), expanding,
                {name: b.value for name, b in compiled.binds.items()
                 if b.value is not None and not b.expanding},
                dialect.paramstyle in ("numeric_dollar", "numeric"),
            )
            self._by_dialect[dialect.name] = found
        return found

    def keys(self, dialect: Dialect) -> tuple[str, ...]:
        """The result columns' names, in order."""
        return self.compiled_for(dialect).keys

    async def fetch(self, connection: AsyncConnection, **values: Any) -> list[tuple]:
        """Every row, as tuples of processed values in column order."""
        sync = connection.sync_connection
        dialect = sync.dialect
        c = self.compiled_for(dialect)
        sql, names = c.sql, c.names
        if c.defaults:
            values = {**c.defaults, **values}
        if c.expanding:
            sql, names, values = self._expand(c, dialect, values)
        binds = c.binds
        args = [binds[name](values[name]) if name in binds else values[name]
                for name in names]
        engine = sync.engine
        if engine.dispatch.before_cursor_execute:
            for listener in engine.dispatch.before_cursor_execute:
                listener(sync, None, sql, tuple(args), None, False)
        if engine._should_log_info():
            engine.logger.info(sql)
            engine.logger.info("[prepared] %r", tuple(args))
        driver = sync.connection.driver_connection
        if c.numbered:
            raw = await driver.fetch(sql, *args)
        else:
            raw = await driver.execute_fetchall(sql, args)
        results = c.results
        if not any(results):
            return [tuple(row) for row in raw]
        return [tuple(value if p is None else p(value) for p, value in zip(results, row,
                                                                          strict=True))
                for row in raw]

    def _expand(self, c: _Compiled, dialect: Dialect, values: dict[str, Any]
                ) -> tuple[str, Sequence[str], dict[str, Any]]:
        sizes = tuple(len(values[name]) for name, b in c.compiled.binds.items()
                      if b.expanding)
        key = (dialect.name, *sizes)
        found = self._expanded.get(key)
        state = None
        if found is None:
            state = c.compiled._process_parameters_for_postcompile(dict(values))
            found = (state.statement, tuple(state.positiontup or ()))
            if len(self._expanded) < 2048:
                self._expanded[key] = found
        flat = dict(values)
        for name, bind in c.compiled.binds.items():
            if bind.expanding:
                processor = c.binds.get(name)
                for index, value in enumerate(values[name], start=1):
                    flat[f"{name}_{index}"] = processor(value) if processor else value
        return found[0], found[1], flat


#: The type codes asyncpg reports for NUMERIC and FLOAT8: SQLAlchemy's asyncpg numeric
#: types choose their result processor by the column's type code, which is known only
#: after a statement ran; the compiled statement knows the SQLAlchemy type instead.
_PG_NUMERIC, _PG_FLOAT = 1700, 701


def _result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    from sqlalchemy import Float, Numeric

    impl = type_.dialect_impl(dialect)
    coltype = None
    if dialect.driver == "asyncpg" and isinstance(getattr(impl, "impl", impl), Numeric):
        coltype = _PG_FLOAT if isinstance(getattr(impl, "impl", impl), Float) else _PG_NUMERIC
    return type_._cached_result_processor(dialect, coltype)


async def first(prepared: Prepared, connection: AsyncConnection, **values: Any
                ) -> tuple | None:
    rows = await prepared.fetch(connection, **values)
    return rows[0] if rows else None


class RowView:
    """Attribute access to one row of a :class:`Prepared` statement (``row.company_id``),
    and index access in column order (``row[0]``)."""

    __slots__ = ("_keys", "_row")

    def __init__(self, keys: Sequence[str], row: tuple) -> None:
        self._keys = keys
        self._row = row

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[self._keys.index(name)]
        except ValueError:
            raise AttributeError(name) from None

    def __getitem__(self, index: int) -> Any:
        return self._row[index]
