"""Numbers read from requests: ids, page numbers and amounts of money, in ASCII digits only.

`str.isdigit()` accepts "²" and "①", which `int()` refuses, and `int()` accepts "٣" and
numbers no database column holds; everything a request names by number is read here instead.
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

# Every id column is an Integer: PostgreSQL's `integer` holds no more (SQLite's, 2**63 - 1).
MAX_ID = 2**31 - 1
# Amounts are Integer columns of minor units too.
MAX_FEN = 2**31 - 1

DIGITS = re.compile(r"[0-9]+")
YUAN = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
# Full-width forms (a Chinese keyboard's "１２．５０") to their ASCII letters and digits.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def parse_int(text: str | None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """`text` as an integer from `minimum` to `maximum` written in ASCII digits, else None."""
    text = (text or "").strip()
    if len(text) > len(str(maximum)) or not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(text: str | None) -> int | None:
    """`text` as a row id (1 to MAX_ID, ASCII digits), else None."""
    return parse_int(text, 1, MAX_ID)


def parse_typed_int(text: str | None, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number a person typed (full-width digits allowed), from `minimum` to `maximum`."""
    return parse_int((text or "").translate(FULL_WIDTH), minimum, maximum)


def parse_yuan(text: str | None, maximum: int = MAX_FEN) -> int | None:
    """An amount typed in yuan ("99.5", "¥1,299.00", "９９．５") as fen up to `maximum`, else
    None: no sign, exponent, NaN or Infinity, at most two decimals."""
    text = (text or "").translate(FULL_WIDTH).strip()
    text = text.replace("¥", "").replace("￥", "").replace(",", "").strip()
    match = YUAN.fullmatch(text)
    if match is None or len(match.group(1)) > len(str(maximum)):
        return None
    whole, cents = match.groups()
    fen = int(whole) * 100 + int((cents or "").ljust(2, "0"))
    return fen if fen <= maximum else None


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits from 1 to MAX_ID; anything else is a 404, never a query
    the database refuses (SQLite overflows above 2**63 - 1, PostgreSQL's integer above 2**31 - 1).
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max)
