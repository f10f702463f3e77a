"""A full rebuild of the PostgreSQL index: rows copied into a new table, indexed, swapped in.

All of it happens in the session's transaction, under the indexers' advisory lock. The new table
is created in that transaction, so COPY writes its rows frozen (no vacuum has to visit them
later); its indexes are built once every row is in, far faster than keeping them up to date row
by row. The swap drops the old table and gives the new one and its indexes the old names: it
waits for transactions that read the old table, and readers see the old table until the rebuild
commits. Dropping a table takes its owner, so the database user must own `search_documents`.
The new table's storage and indexes are those the migrations make (postgres_table.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import text

from community.extensions import db
from community.search.analysis import fold_table
from community.search.documents import SearchDocument
from community.search.postgres_rows import COLUMNS, copy_text
from community.search.postgres_table import TABLE, VECTOR_COLUMNS, index_sql, storage_sql
from community.search.rebuild_processes import chunks, in_processes, split

ADVISORY_KEY = 0x5EA4C4  # "search": one indexer at a time
NEXT = f"{TABLE}_next"
BATCH_DOCUMENTS = 1000
CHUNK_DOCUMENTS = 20_000
COPY = f"COPY {NEXT} ({', '.join(COLUMNS)}) FROM STDIN WITH (FREEZE)"


def rebuild_table(
    documents: Iterable[SearchDocument], progress: Callable[[int], None], processes: int
) -> int:
    """Index `documents` in a new table and swap it in (uncommitted); return how many."""
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})
    db.session.execute(text(f"CREATE TABLE {NEXT} (LIKE {TABLE})"))
    db.session.execute(text(storage_sql(NEXT, VECTOR_COLUMNS)))
    count = copy_rows(documents, progress, processes)
    indexes = index_sql(NEXT, suffix="_next")
    for statement in indexes.values():
        db.session.execute(text(statement))
    db.session.execute(text(f"ANALYZE {NEXT}"))
    db.session.execute(text(f"DROP TABLE {TABLE}"))
    db.session.execute(text(f"ALTER TABLE {NEXT} RENAME TO {TABLE}"))
    for name in indexes:
        # Renaming the primary key's index renames its constraint too.
        db.session.execute(text(f"ALTER INDEX {name}_next RENAME TO {name}"))
    return count


def copy_rows(
    documents: Iterable[SearchDocument], progress: Callable[[int], None], processes: int
) -> int:
    """COPY the rows of `documents` into the new table, computed in `processes` processes."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    count = 0
    if processes > 1:
        # Built here once, so that every forked process has it.
        fold_table()
        for chunk in chunks(documents, progress, CHUNK_DOCUMENTS):
            write_rows(cursor, in_processes(copy_text, split(chunk, processes)))
            count += len(chunk)
    else:
        for batch in chunks(documents, progress, BATCH_DOCUMENTS):
            write_rows(cursor, [copy_text(batch)])
            count += len(batch)
    return count


def write_rows(cursor, parts: list[bytes]) -> None:
    # One COPY per batch: the documents of the next batch are read on this same connection.
    with cursor.copy(COPY) as copy:
        for data in parts:
            copy.write(data)
