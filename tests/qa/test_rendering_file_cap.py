"""The shared renderings file stays under its cap under churn (file and WAL together), keeps the
newest entries, gives freed pages back, and a file from before auto-vacuum is converted."""

from __future__ import annotations

import base64
import os
import sqlite3
import threading

from community.rendering.cache import FileLayer
from community.rendering.fragments import Fragment

CAP = 1024 * 1024


def fragment(size: int = 8000) -> Fragment:
    # Random text: zlib cannot shrink it much, so each entry really costs `size` bytes.
    return Fragment(texts=(base64.b64encode(os.urandom(size * 3 // 4)).decode(),), slots=())


def test_the_file_stays_under_its_cap_under_churn(tmp_path):
    layer = FileLayer(tmp_path / "fragments.sqlite3", ttl=3600, max_bytes=CAP)
    largest = 0
    for number in range(1000):
        layer.put(f"questions:{number}", fragment())
        if number % 7 == 0:
            layer.get(f"questions:{number // 2}")
        largest = max(largest, layer.size())
    assert largest <= CAP
    assert layer.get("questions:999") is not None
    assert layer.get("questions:0") is None
    free = layer.connection().execute("PRAGMA freelist_count").fetchone()[0]
    assert free * 4096 < CAP * 0.2


def test_several_threads_writing_keep_the_file_under_the_cap(tmp_path):
    layer = FileLayer(tmp_path / "fragments.sqlite3", ttl=3600, max_bytes=CAP)
    sizes = []

    def churn(name: str) -> None:
        for number in range(300):
            layer.put(f"{name}:{number}", fragment())
            sizes.append(layer.path.stat().st_size)

    threads = [threading.Thread(target=churn, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # The database file never passes the cap. Its WAL can only be cut back while no reader
    # holds an older snapshot, so with writers at once it may run over for a moment; once the
    # churn stops, the next prune brings file and WAL together under the cap.
    assert max(sizes) <= CAP
    layer.put("after", fragment())
    assert layer.get("after") is not None
    with layer.pruning():
        layer.prune(layer.connection())
    assert layer.size() <= CAP


def test_expired_entries_go_first(tmp_path):
    layer = FileLayer(tmp_path / "fragments.sqlite3", ttl=3600, max_bytes=CAP)
    layer.put("old", fragment(100))
    layer.connection().execute("UPDATE fragments SET stored_at = 0 WHERE key = 'old'")
    layer.prune(layer.connection())
    assert layer.connection().execute("SELECT count(*) FROM fragments").fetchone()[0] == 0


def test_a_file_from_before_auto_vacuum_is_converted(tmp_path):
    path = tmp_path / "fragments.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE fragments (key TEXT PRIMARY KEY, stored_at REAL, value BLOB)")
        old.executemany(
            "INSERT INTO fragments VALUES (?, 0, ?)",
            [(str(n), os.urandom(4000)) for n in range(200)],
        )
    assert path.stat().st_size > 800_000
    layer = FileLayer(path, ttl=3600, max_bytes=CAP)
    assert layer.connection().execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert layer.size() < 100_000
