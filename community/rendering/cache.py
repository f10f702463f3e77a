"""Where shared renderings are kept: the worker's memory, then a store the workers share.

A lookup tries the worker's own LRU first, then the shared store, and renders only when both
miss. The shared store is Redis when `REDIS_URL` is set (every host of the site shares it), else
a SQLite file in the instance folder (a host's workers share it, and it survives restarts).
Keys name the versions of everything a fragment shows, plus a digest of the templates and
catalogs that rendered it, so a deploy that changes either never serves an old rendering.
Entries also expire after a time to live, which bounds how stale relative words ("waiting 3
hours") can get and keeps the store small. A store that fails is a miss, never a page's error.
"""

from __future__ import annotations

import contextlib
import fcntl
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

from community.failure_log import log_failure
from community.rendering.fragments import Fragment
from community.rendering.shared import PersonalValueRefused

log = logging.getLogger(__name__)

RENDERING_SOURCES = (
    "templates/**/*.html",
    "community/translations/*/*/*.mo",
)
# After Redis fails, pages render without it this long before it is asked again, so a hung
# Redis costs one wait per worker every so often, not one on every page.
REDIS_REST_SECONDS = 10.0
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
    and treated as a miss, never as an error of the page. Its size is bounded: whenever the
    file and its WAL together pass PRUNE_AT of `max_bytes`, expired entries and then the oldest
    go until PRUNE_TO is left (their pages are reused, or given back to the disk when most of
    the file is free) and the WAL is checkpointed and truncated.
    """

    PRUNE_AT, PRUNE_TO, KEEP_UNDER = 0.8, 0.5, 0.9

    def __init__(self, path: Path, ttl: float, max_bytes: int) -> None:
        self.path, self.ttl, self.max_bytes = path, ttl, max_bytes
        self.wal = path.with_name(path.name + "-wal")
        self.lock_path = path.with_name(path.name + "-prune")
        self.local = threading.local()

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=1, isolation_level=None)
            make_vacuumable(connection)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            # The WAL is checkpointed, and cut back, long before it could reach the cap.
            connection.execute(f"PRAGMA journal_size_limit={self.max_bytes // 10}")
            connection.execute(
                f"PRAGMA wal_autocheckpoint={max(16, self.max_bytes // 10 // page_size)}"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS fragments"
                " (key TEXT PRIMARY KEY, stored_at REAL NOT NULL, value BLOB NOT NULL)"
            )
            connection.execute(
                "CREATE INDEX IF NOT EXISTS fragments_stored_at ON fragments (stored_at)"
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
        """Keep `fragment`, pruning first when the store is near its cap. While another thread
        or process prunes (its checkpoint may wait a second for readers), an entry that would
        take the store past KEEP_UNDER of the cap is not kept: a cache may decline, a cap may
        not be passed."""
        value = zlib.compress(fragment.dumps(), 1)
        try:
            connection = self.connection()
            size = self.size()
            if size > self.max_bytes * self.PRUNE_AT:
                with self.pruning() as alone:
                    if alone:
                        self.prune(connection)
                    elif size + 2 * len(value) > self.max_bytes * self.KEEP_UNDER:
                        return
            elif random.randrange(PRUNE_EVERY) == 0:  # noqa: S311 - spreading work, not security
                connection.execute(
                    "DELETE FROM fragments WHERE stored_at < ?", (time.time() - self.ttl,)
                )
            connection.execute(
                "INSERT OR REPLACE INTO fragments (key, stored_at, value) VALUES (?, ?, ?)",
                (key, time.time(), value),
            )
        except sqlite3.Error:
            log.warning("rendering cache %s unwritable", self.path, exc_info=True)

    @contextlib.contextmanager
    def pruning(self):
        """Whether this connection may prune now: one at a time across threads and processes
        (checkpoints that meet fail), the others go on writing."""
        with open(self.lock_path, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def size(self) -> int:
        """Bytes on disk: the file and its WAL."""
        total = 0
        for path in (self.path, self.wal):
            with contextlib.suppress(FileNotFoundError):
                total += path.stat().st_size
        return total

    def prune(self, connection: sqlite3.Connection) -> None:
        """Expired entries out, then the oldest, down to PRUNE_TO of the cap; the space back."""
        connection.execute("DELETE FROM fragments WHERE stored_at < ?", (time.time() - self.ttl,))
        page_size, pages, free = (
            connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_size", "page_count", "freelist_count")
        )
        used = (pages - free) * page_size
        target = self.max_bytes * self.PRUNE_TO
        count = connection.execute("SELECT count(*) FROM fragments").fetchone()[0]
        if used > target and count:
            surplus = -(-int(used - target) * count // used)
            connection.execute(
                "DELETE FROM fragments WHERE key IN"
                " (SELECT key FROM fragments ORDER BY stored_at LIMIT ?)",
                (surplus,),
            )
        # Freed pages are reused by the next entries; the file itself shrinks when most of it is
        # free (a lowered cap, a wave of expiries), a tenth of the cap a time, as every page
        # moved is a frame in the WAL.
        if free > pages // 2:
            step = max(1, self.max_bytes // 10 // page_size)
            connection.execute(f"PRAGMA incremental_vacuum({step})").fetchall()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        log.info("rendering cache %s pruned to %d bytes", self.path, self.size())


def make_vacuumable(connection: sqlite3.Connection) -> None:
    """Give the file incremental auto-vacuum, so pruning can return pages to the disk. A file
    made without it (by an earlier version) is emptied and rebuilt once: it is only a cache."""
    if connection.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        return
    connection.execute("PRAGMA auto_vacuum=INCREMENTAL")
    try:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'fragments'").fetchone():
            connection.execute("DELETE FROM fragments")
        connection.execute("VACUUM")
    except sqlite3.OperationalError:
        # Another worker holds the file; pruning still bounds it, and a later start converts it.
        log.warning("rendering cache %s not converted to auto-vacuum yet", connection)


class RedisLayer:
    """Fragments in Redis (compressed marshal) under keys that expire by themselves.

    Short timeouts (`REDIS_TIMEOUT`), then a rest after a failure: a slow or absent Redis costs
    a page a render, never a stall or an error.
    """

    def __init__(self, url: str, ttl: float, timeout: float) -> None:
        import redis

        self.ttl = max(1, int(ttl))
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self.resting_until = 0.0

    def resting(self) -> bool:
        return time.monotonic() < self.resting_until

    def failed(self, what: str, error: Exception) -> None:
        self.resting_until = time.monotonic() + REDIS_REST_SECONDS
        log_failure(log, "rendering cache in Redis %s", what, error=error, level=logging.WARNING)

    def get(self, key: str) -> Fragment | None:
        import redis

        if self.resting():
            return None
        try:
            value = self.client.get(f"rendering:{key}")
            return None if value is None else Fragment.loads(zlib.decompress(value))
        except redis.RedisError as error:
            self.failed("unreadable", error)
        except (zlib.error, EOFError, TypeError, ValueError) as error:
            log_failure(log, "rendering in Redis unreadable", error=error, level=logging.WARNING)
        return None

    def put(self, key: str, fragment: Fragment) -> None:
        import redis

        if self.resting():
            return
        try:
            self.client.set(f"rendering:{key}", zlib.compress(fragment.dumps(), 1), ex=self.ttl)
        except redis.RedisError as error:
            self.failed("unwritable", error)


class FragmentCache:
    def __init__(self, name: str, memory: MemoryLayer, shared, prefix: str):
        self.name, self.memory, self.shared, self.prefix = name, memory, shared, prefix

    def text_key(self, key: tuple) -> str:
        return f"{self.name}:{self.prefix}:" + ":".join(map(str, key))

    def put(self, key: tuple, fragment: Fragment) -> None:
        """Keep `fragment` under `key` in place of what was there (found out of date)."""
        text_key = self.text_key(key)
        if self.shared:
            self.shared.put(text_key, fragment)
        self.memory.put(text_key, fragment)

    def get_or_build(self, key: tuple, build: Callable[[], Fragment]) -> Fragment | None:
        """The fragment under `key`, built and kept on a miss; None when building it reached
        for one person's values (rendering/shared.py): the caller renders for this viewer."""
        text_key = self.text_key(key)
        fragment = self.memory.get(text_key)
        if fragment is not None:
            return fragment
        fragment = self.shared.get(text_key) if self.shared else None
        if fragment is None:
            try:
                fragment = build()
            except PersonalValueRefused:
                log.exception(
                    "a shared %s rendering read one person's values; not shared", self.name
                )
                return None
            if self.shared:
                self.shared.put(text_key, fragment)
        self.memory.put(text_key, fragment)
        return fragment


def rendering_digest(root: Path, database_uri: str) -> str:
    """A digest of what shapes a rendering besides the data: the database, templates, catalogs,
    and the format the shared store keeps fragments in (marshal's version).

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
    # The shared renderings file and its WAL together stay under this.
    app.config.setdefault("QA_FRAGMENT_FILE_MAX_BYTES", 64 * 1024 * 1024)
    app.extensions["renderings"] = {
        "digest": (
            rendering_digest(Path(app.root_path).parent, app.config["SQLALCHEMY_DATABASE_URI"])
            if size
            else ""
        ),
        "caches": {},
    }


def cache_for(name: str) -> FragmentCache:
    state = current_app.extensions["renderings"]
    caches = state["caches"]
    if name not in caches:
        config = current_app.config
        ttl = config["QA_FRAGMENT_TTL"][name]
        caches[name] = FragmentCache(
            name,
            MemoryLayer(config["QA_FRAGMENT_CACHE_SIZE"], ttl),
            shared_layer(ttl),
            state["digest"],
        )
    return caches[name]


def shared_layer(ttl: float) -> RedisLayer | FileLayer | None:
    """Redis when the site has one (shared by every host), else the file (if not turned off)."""
    config = current_app.config
    if config.get("REDIS_URL"):
        return RedisLayer(config["REDIS_URL"], ttl, config["REDIS_TIMEOUT"])
    path = config["QA_FRAGMENT_FILE"]
    return FileLayer(Path(path), ttl, config["QA_FRAGMENT_FILE_MAX_BYTES"]) if path else None


def clear_shared_renderings() -> int:
    """Drop every rendering in the shared store (after a restore); returns how many. Workers'
    own memories are theirs: restart them."""
    config = current_app.config
    if config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(config["REDIS_URL"], socket_timeout=config["REDIS_TIMEOUT"])
        dropped = 0
        batch = []
        for key in client.scan_iter("rendering:*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                dropped += client.delete(*batch)
                batch = []
        if batch:
            dropped += client.delete(*batch)
        return dropped
    path = config["QA_FRAGMENT_FILE"]
    if not path or not Path(path).exists():
        return 0
    with sqlite3.connect(path, timeout=5) as connection:
        try:
            dropped = connection.execute("DELETE FROM fragments").rowcount
        except sqlite3.OperationalError:
            return 0
    return dropped


def caching_enabled() -> bool:
    return current_app.config["QA_FRAGMENT_CACHE_SIZE"] > 0
