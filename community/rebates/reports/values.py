"""Reading one cell of a network's report: ids as text, yuan and fen as integer fen, China
time as UTC. Cells come from CSV (always text) or Excel (numbers, dates, text).

Ids never go through a float: a text cell keeps every digit (Excel's trailing `.0`, a leading
apostrophe and `="…"` wrappers are stripped), and a number cell is accepted only while a
double still holds its digits exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

# The networks' consoles write times in China Standard Time, without an offset.
CHINA = timezone(timedelta(hours=8), "CST")
LARGEST_EXACT = 2**53
ID_TEXT = re.compile(r"[0-9A-Za-z_\-]{1,64}")
AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
EXCEL_WRAPPED = re.compile(r'^="(.*)"$')
# Beyond ISO-8601 (which also covers "2025-01-31 08:00:00"): Excel's slashes, unpadded.
SLASHED_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


class BadValue(Exception):
    """A cell that cannot be read; the message says why, for the person importing."""

    def __init__(self, column: str, reason):
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}")


def text(value) -> str:
    """A cell as text: numbers without Excel's `.0`, wrappers and padding removed."""
    if type(value) is str:
        cleaned = value.strip()
        if not cleaned or cleaned[0] not in "'=" and not cleaned.endswith(".0"):
            return cleaned
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    cleaned = str(value).strip().lstrip("'").strip()
    wrapped = EXCEL_WRAPPED.match(cleaned)
    if wrapped:
        cleaned = wrapped.group(1).strip()
    if cleaned.endswith(".0") and cleaned[:-2].isdigit():
        cleaned = cleaned[:-2]
    return cleaned


def identifier(value, column: str, required: bool = True) -> str:
    """An order, line or item id as text, every digit kept."""
    if isinstance(value, float) and abs(value) >= LARGEST_EXACT:
        raise BadValue(
            column,
            _l("the number was stored as an Excel number and lost digits; export it as text"),
        )
    cleaned = text(value)
    if not cleaned:
        if required:
            raise BadValue(column, _l("is empty"))
        return ""
    if not ID_TEXT.fullmatch(cleaned):
        raise BadValue(column, _l("is not an id (digits and letters, at most 64)"))
    return cleaned


def tracking(value) -> str:
    """A sub id, adzone or position as the member's identity stores it (or "")."""
    cleaned = text(value)
    return cleaned if ID_TEXT.fullmatch(cleaned) else ""


def yuan(value, column: str) -> int:
    """An amount in yuan ("12.30", "¥1,299", 12.3) as fen; empty reads as 0."""
    if isinstance(value, float):
        value = repr(value)
    cleaned = text(value).replace("¥", "").replace("￥", "").replace(",", "").strip()
    if not cleaned or cleaned == "-":
        return 0
    match = AMOUNT.fullmatch(cleaned)
    if match is None:
        raise BadValue(column, _l("is not an amount in yuan like 12.30"))
    whole, decimals = match.group(1), (match.group(2) or "")
    if len(decimals) > 2 and decimals[2:].strip("0"):
        raise BadValue(column, _l("has more than two decimals"))
    if len(whole) > 9:
        raise BadValue(column, _l("is too large"))
    return int(whole) * 100 + int(decimals[:2].ljust(2, "0"))


def fen(value, column: str) -> int:
    """A whole number of fen (Pinduoduo's amounts); empty reads as 0."""
    cleaned = text(value)
    if not cleaned:
        return 0
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 11:
        raise BadValue(column, _l("is not a whole number of fen"))
    return int(cleaned)


def code(value) -> str:
    """A status cell: text as given, numbers without `.0`."""
    return text(value)


def rate_basis_points(value, per: int = 100) -> int | None:
    """A commission rate ("20.00 %", "20", 0.2 as Excel's percent) in hundredths of a percent;
    `per` is 1000 for a rate per mille. None when unreadable (it is only shown)."""
    if isinstance(value, float) and per == 100 and 0 < value < 1:
        value = repr(value * 100)
    cleaned = text(value).replace("%", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    return int(number * 10000 / per)


def china_time(value, column: str) -> datetime | None:
    """A time as the consoles write it (China time unless it says otherwise), as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        cleaned = text(value)
        if not cleaned or cleaned in ("-", "--"):
            return None
        moment = parse_time(cleaned, column)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(UTC)


def parse_time(cleaned: str, column: str) -> datetime:
    try:
        return datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        pass
    for layout in SLASHED_FORMATS:
        try:
            return datetime.strptime(cleaned, layout)
        except ValueError:
            continue
    raise BadValue(column, _l("is not a time like 2025-01-31 08:00:00"))


def unix_seconds(value, column: str) -> datetime | None:
    """UNIX seconds (Pinduoduo's times) as UTC; empty or 0 for none."""
    cleaned = text(value)
    if not cleaned or cleaned == "0":
        return None
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 11:
        raise BadValue(column, _l("is not a time in UNIX seconds"))
    return datetime.fromtimestamp(int(cleaned), UTC)


def day_number(value, column: str) -> date | None:
    """A yyyyMMdd day (JD's payMonth); empty or 0 for none."""
    cleaned = text(value)
    if not cleaned or cleaned == "0":
        return None
    try:
        return datetime.strptime(cleaned, "%Y%m%d").date()
    except ValueError:
        raise BadValue(column, _l("is not a day like 20250120")) from None


def day_start(day: date) -> datetime:
    """The start of a day in China time, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)


def china_today(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()
