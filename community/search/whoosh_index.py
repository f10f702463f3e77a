"""The Whoosh index on disk: the `current` link swapped on rebuild, its format, searchers, locks.

The index lives in `<SEARCH_INDEX_DIR>/index-<stamp>/`; `current` is a symbolic link to the live
one. A rebuild writes a new directory and replaces the link in one rename, so readers see either
the old index or the new one, never half of either. Each directory records the format its
fields follow (whoosh_schema.py); one of another format is unavailable, and so rebuilt on start
while search answers from the database.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index

from community.search.errors import IndexBusy, IndexUnavailable
from community.search.whoosh_codec import ArrayCodec
from community.search.whoosh_schema import schema

logger = logging.getLogger(__name__)

CURRENT = "current"
# What every writer of our indexes is given. Whoosh copies a compound segment file's postings
# into memory when it opens it (78 MB for 20,000 questions); separate files are read through the
# page cache instead. The codec records itself in each segment, so readers use it too.
WRITER_OPTIONS = {"compound": False, "codec": ArrayCodec()}
FORMAT_FILE = "community-format"
# Raised whenever the fields change meaning: 2 has the title and open-text fields.
INDEX_FORMAT = "2"


class IndexStore:
    """Opens, swaps and locks the index under one directory; searchers are kept per thread."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.local = threading.local()

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_path(self) -> Path | None:
        try:
            return self.root / os.readlink(self.link)
        except OSError:
            return None

    def open(self) -> index.Index:
        path = self.current_path()
        if path is None:
            raise IndexUnavailable("no index yet")
        found = index_format(path)
        if found != INDEX_FORMAT:
            raise IndexUnavailable(f"index at {path} has format {found}, not {INDEX_FORMAT}")
        # Whoosh leaves the files of an index it cannot read open: once the error is gone,
        # collect them without a ResourceWarning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return index.open_dir(str(path))
            except Exception as error:
                reason = repr(error)
            gc.collect()
        raise IndexUnavailable(f"index at {path} cannot be opened: {reason}")

    def exists(self) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                with self.open().searcher() as searcher:
                    searcher.doc_count()
                return True
            except IndexUnavailable:
                return False
            except Exception as error:
                reason = repr(error)
            gc.collect()
        logger.error("search index is corrupt: %s", reason)
        return False

    def searcher(self):
        """This thread's searcher on the current index, refreshed when the index has changed.

        Changed means another generation than the one read before the searcher opened (a
        commit in between only opens it again once more). Whoosh's own `up_to_date` is never
        true for an index with no document yet, which opened one on every search."""
        path = self.current_path()
        cached = getattr(self.local, "searcher", None)
        if (
            cached is not None
            and self.local.path == path
            and self.local.index.latest_generation() == self.local.generation
        ):
            return cached
        # A fresh searcher, not `refresh()`: Whoosh's refresh leaves the files of readers it
        # replaced open (ResourceWarnings, and file handles held until garbage collection).
        if cached is not None:
            cached.close()
        opened = self.open()
        generation = opened.latest_generation()
        searcher = opened.searcher()
        self.local.searcher, self.local.path = searcher, path
        self.local.index, self.local.generation = opened, generation
        return searcher

    def close(self) -> None:
        cached = getattr(self.local, "searcher", None)
        if cached is not None:
            cached.close()
            self.local.searcher = None

    @contextmanager
    def locked_writer(self, wait: float = 0.0) -> Iterator:
        """The current index's writer; IndexBusy when another process holds it past `wait`."""
        ix = self.open()
        try:
            writer = ix.writer(timeout=wait, delay=0.05, **WRITER_OPTIONS)
        except index.LockError as error:
            raise IndexBusy(str(error)) from error
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise

    def create_new(self) -> tuple[Path, index.Index]:
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path = self.root / f"index-{stamp}"
        path.mkdir()
        (path / FORMAT_FILE).write_text(INDEX_FORMAT, encoding="ascii")
        return path, index.create_in(str(path), schema())

    def swap_to(self, path: Path) -> None:
        """Point `current` at `path` in one rename, then remove all but the previous index."""
        previous = self.current_path()
        temporary = self.root / f".{CURRENT}-{os.getpid()}"
        if temporary.is_symlink():
            temporary.unlink()
        os.symlink(path.name, temporary)
        os.replace(temporary, self.link)
        keep = {path, previous}
        for stale in self.root.glob("index-*"):
            if stale not in keep:
                shutil.rmtree(stale, ignore_errors=True)


def index_format(path: Path) -> str:
    """The format an index directory records ("none" for one written before formats were)."""
    try:
        return (path / FORMAT_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return "none"
