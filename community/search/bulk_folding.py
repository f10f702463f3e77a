"""Folding many texts at once: exactly `analysis.fold` of each, in a few array operations.

Most characters fold on their own, one to one (full-width forms, traditional characters,
capitals), so one table lookup per code point folds a whole batch of texts. A text holding a
character whose folding depends on its neighbours (see `analysis.fold_table`) is folded by
`fold` itself, so every text folds exactly as it would alone.
"""

from __future__ import annotations

import numpy as np

from community.search.analysis import BMP, fold, fold_table


def fold_many(texts: list[str], separator: str) -> str:
    """`fold(text)[0]` of every text, joined by `separator` (a character no text contains and
    that folds to itself)."""
    joined = separator.join(texts)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded, contextual = fold_table()
    outside = points >= BMP
    inside = np.where(outside, 0, points)
    marked = contextual[inside] | outside
    mapped = np.where(outside, points, folded[inside])
    result = mapped.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    if not marked.any():
        return result
    pieces = result.split(separator)
    starts = np.concatenate(([0], np.flatnonzero(points == ord(separator)) + 1))
    texts_marked = np.searchsorted(starts, np.flatnonzero(marked), side="right") - 1
    for index in np.unique(texts_marked).tolist():
        pieces[index] = fold(texts[index])[0]
    return separator.join(pieces)
