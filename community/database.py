"""Connection settings for the embedded SQLite database."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
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
