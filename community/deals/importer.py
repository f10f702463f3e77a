"""Importing deals from a CSV file or JSON lines: every row checked first, then all written or,
if any row is bad, none; the same file twice changes nothing, a changed row updates its deal.

CSV header (order free, extra columns ignored):
id,title,platform,url,list_price,price,coupon,commission_rate,category,tags,starts_at,expires_at,description
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.deals import publishing
from community.deals.fields import clean_deal
from community.deals.models import Deal
from community.errors import ValidationFailed
from community.extensions import db
from community.text_encoding import detect_encoding

HEADER = (
    "id",
    "title",
    "platform",
    "url",
    "list_price",
    "price",
    "coupon",
    "commission_rate",
    "category",
    "tags",
    "starts_at",
    "expires_at",
    "description",
)
REQUIRED = ("id", "title", "platform", "url", "price")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "gb18030": "GB18030/GBK"}
MAX_ROWS = 50_000
LOOKUP_CHUNK = 1000
# The largest cell a row may carry (a long Markdown description).
csv.field_size_limit(1024 * 1024)


class BadFile(Exception):
    """The file as a whole cannot be read."""


@dataclass
class ImportResult:
    encoding: str = ""
    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.errors


def decode(data: bytes) -> tuple[str, str]:
    encoding = detect_encoding(data)
    if encoding is None:
        raise BadFile(_l("The file is not text in UTF-8 or GB18030/GBK."))
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise BadFile(_l("The file is not text in UTF-8 or GB18030/GBK.")) from None


def is_json_lines(text: str) -> bool:
    return text.lstrip().startswith("{")


def csv_records(text: str):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    names = {name.strip().lower() for name in (reader.fieldnames or []) if name}
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise BadFile(_l("The header lacks the columns: %(names)s.", names=", ".join(missing)))
    ended = reader.line_num
    for record in reader:
        cleaned = {(name or "").strip().lower(): value for name, value in record.items() if name}
        # The line the row starts on, as a spreadsheet shows it (a quoted cell may span lines).
        yield ended + 1, cleaned
        ended = reader.line_num


def json_records(text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield number, None
            continue
        yield number, record if isinstance(record, dict) else None


def read_rows(data: bytes) -> tuple[list[tuple[int, dict | None]], str, str]:
    text, encoding = decode(data)
    if is_json_lines(text):
        return list(json_records(text.lstrip("\ufeff"))), encoding, "jsonl"
    try:
        return list(csv_records(text)), encoding, "csv"
    except csv.Error as error:
        raise BadFile(_l("The CSV cannot be read (%(error)s).", error=str(error))) from None


def import_deals(data: bytes, moment: datetime, actor=None, track=None) -> ImportResult:
    """Check every row of `data`, then write them all or (when any is bad) nothing; the
    caller commits. `track(rows)`, when given, wraps the writing (a progress bar)."""
    result = ImportResult()
    try:
        rows, encoding, kind = read_rows(data)
    except BadFile as error:
        result.errors.append((0, str(error)))
        return result
    result.encoding, result.format, result.rows = ENCODING_NAMES[encoding], kind, len(rows)
    if len(rows) > MAX_ROWS:
        result.errors.append((0, str(_l("At most %(count)d rows a file.", count=MAX_ROWS))))
        return result
    cleaned: list[dict] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        if raw is None:
            result.errors.append((line, str(_l("The line is not a JSON object."))))
            continue
        try:
            values = clean_deal({key: cell_text(value) for key, value in raw.items()})
        except ValidationFailed as failure:
            result.errors.extend((line, reason) for _field, reason in failure.errors)
            continue
        key = values["external_id"]
        if key is None:
            result.errors.append((line, str(_l("The id is missing."))))
        elif key in seen:
            result.errors.append(
                (line, str(_l("The id %(id)s is also on line %(line)d.", id=key, line=seen[key])))
            )
        else:
            seen[key] = line
            cleaned.append(values)
    if result.errors:
        return result
    existing: dict[str, Deal] = {}
    keys = list(seen)
    for first in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[first : first + LOOKUP_CHUNK]
        existing |= {
            deal.external_id: deal
            for deal in db.session.scalars(select(Deal).where(Deal.external_id.in_(chunk)))
        }
    with track(cleaned) if track else nullcontext(cleaned) as rows_to_write:
        for values in rows_to_write:
            deal = existing.get(values["external_id"])
            if deal is None:
                publishing.create(values, moment, actor)
                result.created += 1
            elif publishing.update_from_import(deal, values, moment):
                result.updated += 1
            else:
                result.unchanged += 1
    db.session.flush()
    return result


def cell_text(value) -> str:
    """A JSON value as the text a CSV cell would hold (numbers as written, lists as tags)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    return str(value)
