"""Connection settings for the embedded SQLite database, portable write locks, bulk inserts,
and telling an unreachable database from other database errors."""

from __future__ import annotations

import logging
import sqlite3

from sqlalchemy import Select, Table, event, func, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

# SQLite reports a missing table as an OperationalError too; only these codes mean the file
# cannot be used right now (unopenable, locked, unreadable, read-only, full).
SQLITE_UNAVAILABLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_READONLY",
    "SQLITE_FULL",
    "SQLITE_PROTOCOL",
)

log = logging.getLogger(__name__)
_configured = False
NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def set_sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    """WAL for concurrent readers, enforced foreign keys, waiting (not failing) on locks."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_sqlite() -> None:
    global _configured
    if not _configured:
        event.listen(Engine, "connect", set_sqlite_pragmas)
        _configured = True


def insert_unless_present(session, model, values: dict, key: list[str]) -> int:
    """Insert a row unless one with the same unique `key` exists, even one another transaction
    is writing at this moment (that one wins; this statement then waits for it and does nothing).
    Returns the number of rows inserted (1 or 0).
    """
    dialect = session.get_bind().dialect.name
    build = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = build(model).values(**values).on_conflict_do_nothing(index_elements=key)
    # RETURNING, not rowcount: psycopg reports -1 for an insert that ON CONFLICT skipped.
    returning = statement.returning(*(getattr(model, name) for name in key))
    return len(session.execute(returning).all())


def lock_for_write(session, rows: Select) -> None:
    """Serialise this transaction with every other that locks the same rows, until it ends.

    PostgreSQL locks the rows `rows` selects (`SELECT ... FOR UPDATE`). SQLite ignores FOR
    UPDATE and locks the whole database instead: the transaction takes the write lock now
    (`BEGIN IMMEDIATE`, waiting up to the busy timeout), so what it reads next is current and
    no other writer can change it before this transaction commits. Re-read (refresh) anything
    loaded before the lock.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)
        return
    session.execute(rows.with_for_update())


def take_sqlite_write_lock(connection) -> None:
    """Begin the transaction as a writer unless it already is one (it wrote something)."""
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reserve_ids(session, table: Table, count: int) -> list[int]:
    """`count` new ids for rows of `table` the caller inserts in this transaction.

    PostgreSQL draws them from the table's sequence. SQLite has none: the transaction takes the
    write lock (so no other writer inserts before it ends) and counts on from the largest id,
    as SQLite itself would.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        parameters = {"table": table.name, "n": count}
        return list(connection.scalars(NEXT_IDS, parameters))
    take_sqlite_write_lock(connection)
    start = connection.scalar(select(func.max(table.c.id))) or 0
    return list(range(start + 1, start + count + 1))


def insert_rows(session, table: Table, rows: list[dict]) -> None:
    """Insert many rows of `table` (each naming the same columns) in the caller's transaction:
    COPY on PostgreSQL, one executemany on SQLite, each row's values converted by the columns'
    types once. Columns left out take their defaults."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    defaults = python_defaults(table, rows[0])
    names = [*rows[0], *(column.name for column in defaults)]
    processors = [
        (position, process)
        for position, name in enumerate(names)
        if (process := table.c[name].type.bind_processor(dialect)) is not None
    ]

    def values(row: dict) -> list:
        converted = [*row.values(), *(default_value(column) for column in defaults)]
        for position, process in processors:
            converted[position] = process(converted[position])
        return converted

    columns = ", ".join(map(dialect.identifier_preparer.quote, names))
    target = f"{dialect.identifier_preparer.quote(table.name)} ({columns})"
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
    else:
        marks = ", ".join("?" * len(names))
        # Names from the table's metadata, quoted; every value is a parameter.
        statement = f"INSERT INTO {target} VALUES ({marks})"  # noqa: S608
        driver.executemany(statement, map(values, rows))


def python_defaults(table: Table, named) -> list:
    """The columns not `named` that have a Python-side default (`default=`), which an INSERT
    fills in; server defaults are the database's to fill."""
    return [
        column
        for column in table.columns
        if column.name not in named
        and column.default is not None
        and not column.default.is_sequence
    ]


def default_value(column):
    """A column's Python-side default for one row (a callable is called for each, as an INSERT
    does)."""
    default = column.default
    return default.arg(None) if default.is_callable else default.arg


def database_unavailable(error: BaseException) -> bool:
    """True when `error` (or what it was raised from) says the database cannot be reached or
    used right now: refused or dropped connections, a full pool, a shut-down server, an
    unopenable SQLite file. Errors in what was asked of it (constraints, SQL) are not."""
    while error is not None:
        if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa_exc.OperationalError):
            code = getattr(error.orig, "sqlite_errorname", None)
            # Elsewhere an OperationalError is the server: connection, resources, shutdown,
            # deadlocks and timeouts, all worth retrying.
            return code is None or code.startswith(SQLITE_UNAVAILABLE)
        error = error.__cause__
    return False


def close_session(scoped) -> None:
    """End a request's session. When the server dropped its connection meanwhile (a restart),
    the rollback that ends it fails: the connection is let go instead, so a response already
    built is still sent (Flask-SQLAlchemy's own teardown would raise, and answer 500)."""
    try:
        scoped.close()
    except sa_exc.DBAPIError as error:
        if not database_unavailable(error):
            raise
        log.warning("dropped a session whose connection the database closed: %s", error.orig)
        # The request's own Session (a scoped session does not pass `invalidate` on).
        scoped().invalidate()
