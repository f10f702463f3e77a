"""Which encoding a text file from Excel or a network's console is in: UTF-8 (with or without a
BOM) or GB18030/GBK (what Excel in China saves CSV in), decided from the file's first bytes."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# How much of a file charset-normalizer looks at when the bytes are not UTF-8.
SAMPLE_BYTES = 256 * 1024


def detect_encoding(sample: bytes) -> str | None:
    """ "utf-8-sig", "utf-8" or "gb18030" for a file starting with `sample`; None for neither.

    A multi-byte character cut at the end of the sample still counts as UTF-8."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample[:SAMPLE_BYTES], cp_isolation=["utf_8", "gb18030"]).best()
    if best is None or best.encoding != "gb18030":
        return None
    return "gb18030"
