"""Connection settings for the embedded SQLite database, portable write locks, and telling an
unreachable database from other database errors."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Select, event
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

_configured = False


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
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    session.execute(rows.with_for_update())


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
