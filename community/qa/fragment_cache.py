"""Where shared renderings are kept: the worker's memory, then a file a host's workers share.

A lookup tries the worker's own LRU first, then a SQLite file in the instance folder (so a page
one worker rendered is ready in the others, and survives restarts), and renders only when both
miss. Keys name the versions of everything a fragment shows, plus a digest of the templates and
catalogs that rendered it, so a deploy that changes either never serves an old rendering.
Entries also expire after a time to live, which bounds how stale relative words ("waiting 3
hours") can get and keeps the file small.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import random
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from community.fragments import Fragment

log = logging.getLogger(__name__)

RENDERING_SOURCES = (
    "templates/*.html",
    "templates/qa/*.html",
    "community/translations/*/*/*.mo",
)
PRUNE_EVERY = 500


class MemoryLayer:
    """A thread-safe LRU with a time to live per entry."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict[str, tuple[float, Fragment]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Fragment | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] <= time.monotonic():
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: str, fragment: Fragment) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + self.ttl, fragment)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class FileLayer:
    """Fragments in a SQLite file (compressed marshal), one connection per thread and process.

    It is a cache: writes are not synced to disk, and a failure to read or write it is logged
    and treated as a miss, never as an error of the page.
    """

    def __init__(self, path: Path, ttl: float) -> None:
        self.path, self.ttl = path, ttl
        self.local = threading.local()

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=1, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS fragments"
                " (key TEXT PRIMARY KEY, stored_at REAL NOT NULL, value BLOB NOT NULL)"
            )
            self.local.connection = connection
        return connection

    def get(self, key: str) -> Fragment | None:
        try:
            row = (
                self.connection()
                .execute(
                    "SELECT value FROM fragments WHERE key = ? AND stored_at > ?",
                    (key, time.time() - self.ttl),
                )
                .fetchone()
            )
            return None if row is None else Fragment.loads(zlib.decompress(row[0]))
        except (sqlite3.Error, zlib.error, EOFError, TypeError, ValueError):
            log.warning("rendering cache %s unreadable", self.path, exc_info=True)
            return None

    def put(self, key: str, fragment: Fragment) -> None:
        value = zlib.compress(fragment.dumps(), 1)
        try:
            connection = self.connection()
            connection.execute(
                "INSERT OR REPLACE INTO fragments (key, stored_at, value) VALUES (?, ?, ?)",
                (key, time.time(), value),
            )
            if random.randrange(PRUNE_EVERY) == 0:  # noqa: S311 - spreading work, not security
                connection.execute(
                    "DELETE FROM fragments WHERE stored_at < ?", (time.time() - self.ttl,)
                )
        except sqlite3.Error:
            log.warning("rendering cache %s unwritable", self.path, exc_info=True)


class FragmentCache:
    def __init__(self, name: str, memory: MemoryLayer, file: FileLayer | None, prefix: str):
        self.name, self.memory, self.file, self.prefix = name, memory, file, prefix

    def get_or_build(self, key: tuple, build: Callable[[], Fragment]) -> Fragment:
        text_key = f"{self.name}:{self.prefix}:" + ":".join(map(str, key))
        fragment = self.memory.get(text_key)
        if fragment is not None:
            return fragment
        fragment = self.file.get(text_key) if self.file else None
        if fragment is None:
            fragment = build()
            if self.file:
                self.file.put(text_key, fragment)
        self.memory.put(text_key, fragment)
        return fragment


def rendering_digest(root: Path, database_uri: str) -> str:
    """A digest of what shapes a rendering besides the data: the database, templates, catalogs,
    and the format the shared file stores fragments in (marshal's version).

    The database is named so that pointing an instance folder at another database never
    serves the first one's pages (question ids and versions would collide).
    """
    digest = hashlib.sha256(f"{database_uri}|marshal {marshal.version}".encode())
    for pattern in RENDERING_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Set up the caches the config asks for (QA_FRAGMENT_CACHE_SIZE=0 turns them off)."""
    size = app.config.setdefault("QA_FRAGMENT_CACHE_SIZE", 2000)
    app.config.setdefault("QA_FRAGMENT_FILE", str(Path(app.instance_path) / "fragments.sqlite3"))
    app.config.setdefault("QA_FRAGMENT_TTL", {"questions": 6 * 3600, "lists": 60})
    app.extensions["qa_fragments"] = {
        "digest": (
            rendering_digest(Path(app.root_path).parent, app.config["SQLALCHEMY_DATABASE_URI"])
            if size
            else ""
        ),
        "caches": {},
    }


def cache_for(name: str) -> FragmentCache:
    state = current_app.extensions["qa_fragments"]
    caches = state["caches"]
    if name not in caches:
        config = current_app.config
        ttl = config["QA_FRAGMENT_TTL"][name]
        path = config["QA_FRAGMENT_FILE"]
        caches[name] = FragmentCache(
            name,
            MemoryLayer(config["QA_FRAGMENT_CACHE_SIZE"], ttl),
            FileLayer(Path(path), ttl) if path else None,
            state["digest"],
        )
    return caches[name]


def caching_enabled() -> bool:
    return current_app.config["QA_FRAGMENT_CACHE_SIZE"] > 0
