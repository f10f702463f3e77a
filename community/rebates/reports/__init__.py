"""The networks' order reports, read into one shape.

Each network's module knows its columns (by header name, with aliases: never by position),
its status codes and which cells identify the member; `read_report` gives, per data row, a
`ReportRow`, a `Refusal` (line and reason) or a `Skipped` row (JD's split parents).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from community.rebates.reports import files, generic, jd, pdd, taobao
from community.rebates.reports.files import BadFile
from community.rebates.reports.values import BadValue

NETWORK_PARSERS = {"taobao": taobao, "jd": jd, "pdd": pdd, "generic": generic}


class ReportRow(NamedTuple):
    """One order line as the network reports it, statuses mapped, amounts in fen (a tuple, so
    a chunk of them spools and loads back quickly)."""

    line: int
    order_no: str
    line_key: str
    status: str
    network_status: str
    commission: int
    paid_amount: int
    placed_at: datetime | None
    settled_at: datetime | None
    item: str
    # (affiliate identity field, value) the report names, in the order they are tried.
    identifiers: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class Refusal:
    line: int
    reason: str


@dataclass(slots=True)
class Skipped:
    line: int


def read_report(path: Path, network: str, moment: datetime) -> Iterator:
    """ReportRow, Refusal or Skipped for each data row of the file; BadFile when the file as a
    whole cannot be read."""
    parser = NETWORK_PARSERS[network]
    reader = parser.Reader(moment)
    for line, cells in files.mapped_rows(path, parser.ALIASES, parser.REQUIRED):
        try:
            fields = reader.row(cells)
        except BadValue as bad:
            yield Refusal(line, f"{parser.ALIASES[bad.column][0]}: {bad.reason}")
            continue
        if fields is None:
            yield Skipped(line)
            continue
        yield ReportRow(line=line, **fields)


__all__ = ["BadFile", "NETWORK_PARSERS", "Refusal", "ReportRow", "Skipped", "read_report"]
