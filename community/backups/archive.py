"""Writing and reading a backup: SQLite's online backup API, or pg_dump/pg_restore (custom
format) for PostgreSQL. A backup is written beside its path and renamed into place, so a
backup file is always whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, with argument lists
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from community.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupRefused(Exception):
    """What cannot be done, in words an operator acts on."""


def database_kind() -> str:
    return db.engine.dialect.name


def write_backup(path: Path) -> None:
    """Copy the live database to `path` without stopping the site."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database_kind() == "sqlite":
            copy_sqlite(sqlite_path(), partial)
        else:
            run_pg_tool(
                "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(partial)
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def restore_backup(path: Path) -> None:
    """Replace this instance's (empty) database with the backup at `path`."""
    header = path.read_bytes()[: len(SQLITE_HEADER)] if path.is_file() else b""
    kind = database_kind()
    if kind == "sqlite" and not header.startswith(SQLITE_HEADER):
        raise BackupRefused(f"{path} is not a SQLite backup; this site runs on SQLite.")
    if kind == "postgresql" and not header.startswith(PG_DUMP_HEADER):
        raise BackupRefused(f"{path} is not a pg_dump backup; this site runs on PostgreSQL.")
    refuse_unless_empty()
    db.session.remove()
    if kind == "sqlite":
        db.engine.dispose()
        copy_sqlite(path, sqlite_path())
    else:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()
        run_pg_tool(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            str(path),
            database_flag="--dbname",
        )
    db.engine.dispose()


def refuse_unless_empty() -> None:
    """A restore replaces everything: only into a site without a single account."""
    if "users" not in inspect(db.engine).get_table_names():
        return
    accounts = db.session.scalar(text("SELECT count(*) FROM users"))
    db.session.rollback()
    if accounts:
        raise BackupRefused(
            f"This site's database is not empty ({accounts} account(s)); restore into a new, "
            "empty database (created and migrated with `flask db upgrade`, or not at all)."
        )


def sqlite_path() -> Path:
    database = make_url(db.engine.url).database
    if not database or database == ":memory:":
        raise BackupRefused("This SQLite database lives in memory; there is nothing to back up.")
    return Path(database)


def copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write the source."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        with writer:
            reader.backup(writer)
    finally:
        reader.close()
        writer.close()


def run_pg_tool(tool: str, *arguments: str, database_flag: str | None = None) -> None:
    """Run pg_dump or pg_restore against this site's database (the password in the
    environment, never on the command line)."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupRefused(f"{tool} is not installed (Debian: apt install postgresql-client).")
    url = make_url(db.engine.url)
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    target = url.set(drivername="postgresql", password=None).render_as_string()
    database = [database_flag, target] if database_flag else [target]
    finished = subprocess.run(  # noqa: S603 - a fixed tool with arguments, no shell
        [executable, *arguments, *database],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupRefused(f"{tool} failed: {finished.stderr.strip()[:2000]}")
