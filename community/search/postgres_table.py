"""The layout of the PostgreSQL search table beyond its columns, defined once: the model, the
migrations and the rebuild all make it from here.

The vectors stay in the row (compressed) and the wide texts move out to the TOAST table, so
reading the vectors of many matches reads small rows. The vectors' GIN indexes keep no pending
list (`fastupdate` off), which every search would otherwise read; `user:name` has a btree index.
"""

from __future__ import annotations

TABLE = "search_documents"
# The whole text's vectors and those of what is open to all (postgres_terms.py).
VECTOR_COLUMNS = ("terms", "grams", "open_terms", "open_grams")
GIN_WITH = {"fastupdate": "off"}
GIN_OPTIONS = ", ".join(f"{name} = {value}" for name, value in GIN_WITH.items())
TOAST_TUPLE_TARGET = 128
PRIMARY_KEY = "pk_search_documents"
AUTHOR_INDEX = "ix_search_documents_author"
# Raised whenever the rows change meaning; a table of another format is rebuilt (2: open vectors,
# tags joined by commas).
INDEX_FORMAT = 2


def vector_index(column: str) -> str:
    """The name of a vector column's GIN index."""
    return f"ix_search_documents_{column}"


def storage_sql(table: str, columns: tuple[str, ...]) -> str:
    """Keep the vector `columns` in the row and move the wide texts out."""
    kept = ", ".join(f"ALTER COLUMN {column} SET STORAGE MAIN" for column in columns)
    return f"ALTER TABLE {table} {kept}, SET (toast_tuple_target = {TOAST_TUPLE_TARGET})"


def gin_index_sql(name: str, table: str, column: str) -> str:
    return f"CREATE INDEX {name} ON {table} USING gin ({column}) WITH ({GIN_OPTIONS})"


def index_sql(table: str, suffix: str = "") -> dict[str, str]:
    """Every index of the table by name, as the statement that makes it on `table` under the
    name plus `suffix` (a table being built names its indexes apart until it is swapped in)."""
    statements = {
        PRIMARY_KEY: f"ALTER TABLE {table} ADD CONSTRAINT {PRIMARY_KEY}{suffix} PRIMARY KEY (id)",
    }
    for column in VECTOR_COLUMNS:
        name = vector_index(column)
        statements[name] = gin_index_sql(name + suffix, table, column)
    statements[AUTHOR_INDEX] = f"CREATE INDEX {AUTHOR_INDEX}{suffix} ON {table} (author)"
    return statements
