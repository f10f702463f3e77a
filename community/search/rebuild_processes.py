"""Rebuild work both backends share: documents in chunks, parts of a chunk in forked processes.

Forked processes see the chunk's documents without copying them through a pipe (unpickling a
document cost more than analysing it); only what each part produced comes back. A process that
fails or dies ends the rebuild with an error.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from community.search.documents import SearchDocument

Part = TypeVar("Part")
Made = TypeVar("Made")


class RebuildFailed(RuntimeError):
    """A rebuild process raised or died; the index being built is incomplete."""


def chunks(
    documents: Iterable[SearchDocument], progress: Callable[[int], None], size: int
) -> Iterator[list[SearchDocument]]:
    """The documents to index in lists of `size`; deleted ones are skipped."""
    chunk: list[SearchDocument] = []
    for doc in documents:
        progress(1)
        if not doc.deleted:
            chunk.append(doc)
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def split(items: list[Part], parts: int) -> list[list[Part]]:
    """`items` in at most `parts` contiguous lists of nearly equal length."""
    size = -(-len(items) // parts)
    return [items[start : start + size] for start in range(0, len(items), size)]


def in_processes(make: Callable[[Part], Made], parts: list[Part]) -> list[Made]:
    """`make(part)` for every part, in order: the first here, the others in forked processes."""
    context = multiprocessing.get_context("fork")
    children = []
    for part in parts[1:]:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_make_forked, args=(make, part, sender), daemon=True)
        process.start()
        sender.close()
        children.append((process, receiver))
    try:
        made = [make(parts[0])] if parts else []
        made += [_received(process, receiver) for process, receiver in children]
        return made
    finally:
        for process, receiver in children:
            if process.is_alive():
                process.terminate()
            process.join()
            receiver.close()


def _make_forked(make, part, sender) -> None:
    try:
        sender.send(("done", make(part)))
    except BaseException:
        sender.send(("failed", traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        sender.close()


def _received(process, receiver):
    try:
        kind, value = receiver.recv()
    except EOFError:
        process.join()
        raise RebuildFailed(f"a rebuild process died (exit code {process.exitcode})") from None
    if kind == "failed":
        raise RebuildFailed(f"a rebuild process failed:\n{value}")
    return value
