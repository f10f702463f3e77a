"""Connection settings for the embedded SQLite database, and portable write locks."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Select, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

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


def insert_unless_present(session, model, values: dict, key: list[str]) -> None:
    """Insert a row unless one with the same unique `key` exists, even one another transaction
    is writing at this moment (that one wins; this statement then waits for it and does nothing).
    """
    dialect = session.get_bind().dialect.name
    build = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = build(model).values(**values).on_conflict_do_nothing(index_elements=key)
    session.execute(statement)


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
