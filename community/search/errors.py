"""Errors both backends raise."""


class IndexUnavailable(Exception):
    """The index is missing or cannot be read; search answers from the database meanwhile."""


class IndexBusy(Exception):
    """Another indexer holds the index's write lock."""
