"""Importing one network report: read it through once to check every row (the rows read are
spooled to a temporary file, chunk by chunk), then apply the spooled chunks, each its own short
transaction, writing only what changed.

By default a file with any refused row writes nothing (the result lists each line and why);
`partial` writes the good rows. A line's status only moves forward (paid → received →
settled → invalid/refunded): an older report read after a newer one changes nothing, and
reading the same report again changes nothing either.
"""

from __future__ import annotations

import json
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import bindparam, insert, select, update

from community.extensions import db
from community.rebates import ledger, matching
from community.rebates.models import (
    INVALID,
    PAID,
    RECEIVED,
    REFUNDED,
    SETTLED,
    RebateOrder,
    RebateOrderLine,
    ReportImport,
)
from community.rebates.reports import BadFile, Refusal, ReportRow, Skipped, read_report
from community.rebates.settings import rebate_settings

log = logging.getLogger(__name__)

CHUNK_ROWS = 1000
CHECKING, WRITING = "checking", "writing"
REFUSALS_KEPT = 50
RANK = {PAID: 0, RECEIVED: 1, SETTLED: 2, INVALID: 3, REFUNDED: 3}
COMPARED = ("status", "network_status", "commission", "paid_amount", "settled_at", "placed_at")
ORDER_FIELDS = (
    "id",
    "order_no",
    "user_id",
    "placed_at",
    "first_seen_at",
    "buyer_share",
    "inviter_id",
    "referral_share",
    "referral_wait_until",
    "referral_void_at",
)


@dataclass
class Tally:
    rows_read: int = 0
    new_lines: int = 0
    changed: int = 0
    unchanged: int = 0
    unmatched: int = 0
    skipped: int = 0
    refused: int = 0
    refusals: list = field(default_factory=list)

    def refuse(self, line: int, reason: str) -> None:
        self.refused += 1
        if len(self.refusals) < REFUSALS_KEPT:
            self.refusals.append([line, str(reason)])


def check_file(path: Path, network: str, moment: datetime, spool, progress=None) -> Tally:
    """Read every row without writing to the database: how many, and which are refused; the
    good rows go to `spool` in chunks. BadFile propagates."""
    tally = Tally()
    chunk: list[ReportRow] = []
    for item in read_report(path, network, moment):
        tally.rows_read += 1
        if isinstance(item, ReportRow):
            chunk.append(item)
            if len(chunk) >= CHUNK_ROWS:
                pickle.dump(chunk, spool, pickle.HIGHEST_PROTOCOL)
                chunk = []
                if progress is not None:
                    progress(CHECKING, tally.rows_read, None)
        elif isinstance(item, Refusal):
            tally.refuse(item.line, item.reason)
        elif isinstance(item, Skipped):
            tally.skipped += 1
    if chunk:
        pickle.dump(chunk, spool, pickle.HIGHEST_PROTOCOL)
    if progress is not None:
        progress(CHECKING, tally.rows_read, None)
    return tally


def spooled_chunks(spool) -> Iterator[list[ReportRow]]:
    """The chunks `check_file` spooled, in order (a file this process wrote itself)."""
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - our own temporary file
        except EOFError:
            return


def import_report(
    path: Path,
    network: str,
    moment: datetime,
    *,
    actor=None,
    filename="",
    partial=False,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ReportImport:
    """Import `path` as `network`'s report; the returned row holds the per-file result.
    `progress(stage, done, total)` hears of each chunk: rows checked (total unknown), then
    rows written (of the rows to write)."""
    run = ReportImport(
        network=network, filename=filename[:255], actor_id=getattr(actor, "id", None)
    )
    run.created_at = moment
    with tempfile.TemporaryFile() as spool:
        try:
            tally = check_file(path, network, moment, spool, progress)
        except BadFile as bad:
            tally = Tally()
            tally.refuse(0, bad.reason)
        if tally.refused and (not partial or not tally.rows_read):
            return finish(run, tally, "refused")
        return apply_file(run, spool, network, moment, tally, progress)


def apply_file(
    run: ReportImport, spool, network: str, moment: datetime, checked: Tally, progress=None
) -> ReportImport:
    """Write the spooled rows, chunk by chunk; `checked` is what the checking read found."""
    rebate_settings()
    db.session.add(run)
    db.session.commit()
    tally = Tally(
        rows_read=checked.rows_read,
        skipped=checked.skipped,
        refused=checked.refused,
        refusals=checked.refusals,
    )
    terms = None
    written = 0
    to_write = checked.rows_read - checked.refused - checked.skipped
    for chunk in spooled_chunks(spool):
        terms = apply_chunk(chunk, network, run.id, moment, tally, terms)
        written += len(chunk)
        if progress is not None:
            progress(WRITING, written, to_write)
    return finish(run, tally, "partial" if tally.refused else "done")


def finish(run: ReportImport, tally: Tally, status: str) -> ReportImport:
    run.status = status
    for name in ("rows_read", "new_lines", "changed", "unchanged", "unmatched", "skipped"):
        setattr(run, name, getattr(tally, name))
    run.refused = tally.refused
    run.refusals = json.dumps(tally.refusals, ensure_ascii=False)
    db.session.add(run)
    db.session.commit()
    log.info(
        "rebate import %s (%s): %s read, %s new, %s changed, %s unchanged, %s unmatched, "
        "%s refused, %s",
        run.id,
        run.network,
        run.rows_read,
        run.new_lines,
        run.changed,
        run.unchanged,
        run.unmatched,
        run.refused,
        status,
    )
    return run


def line_values(row: ReportRow) -> dict:
    return {
        "status": row.status,
        "network_status": row.network_status,
        "commission": row.commission,
        "paid_amount": row.paid_amount,
        "settled_at": row.settled_at,
        "placed_at": row.placed_at,
        "item": row.item,
    }


def merge_rows(chunk, existing: dict, tally: Tally) -> dict[str, dict]:
    """line key → the line as it should be after this chunk (only lines that change)."""
    final: dict[str, dict] = {}
    for row in chunk:
        current = final.get(row.line_key) or existing.get(row.line_key)
        if current is None:
            final[row.line_key] = {
                "line_key": row.line_key,
                "order_no": row.order_no,
                "identifiers": row.identifiers,
                **line_values(row),
            }
            tally.new_lines += 1
            continue
        wanted = line_values(row)
        backwards = RANK[row.status] < RANK[current["status"]]
        if backwards or all(current[name] == wanted[name] for name in COMPARED):
            tally.unchanged += 1
            continue
        final[row.line_key] = {**current, **wanted}
        tally.changed += 1
    return final


def apply_chunk(chunk, network: str, import_id: int, moment: datetime, tally: Tally, terms):
    """Write one chunk of rows in its own transaction; returns the terms book to reuse."""
    matching.lock_rebates()
    settings = rebate_settings()
    if terms is None:
        terms = matching.TermsBook(moment, settings.referral_share)
    keys = {row.line_key for row in chunk}
    existing = {
        row.line_key: dict(row._mapping)
        for row in db.session.execute(
            select(
                RebateOrderLine.id,
                RebateOrderLine.line_key,
                RebateOrderLine.order_id,
                RebateOrder.order_no,
                RebateOrderLine.status,
                RebateOrderLine.network_status,
                RebateOrderLine.commission,
                RebateOrderLine.paid_amount,
                RebateOrderLine.settled_at,
                RebateOrderLine.placed_at,
                RebateOrderLine.item,
            )
            .join(RebateOrder, RebateOrder.id == RebateOrderLine.order_id)
            .where(RebateOrderLine.network == network, RebateOrderLine.line_key.in_(keys))
        )
    }
    final = merge_rows(chunk, existing, tally)
    if not final:
        db.session.commit()
        return terms
    orders = orders_for(final, network, moment, terms, tally)
    write_lines(final, orders, network, import_id, moment)
    credit_lines(final, orders, settings.holding_days, import_id, moment)
    db.session.commit()
    return terms


def orders_for(final: dict, network: str, moment: datetime, terms, tally: Tally) -> dict:
    """order number → order (as a namespace) for every line in `final`: existing orders, and
    new ones matched to a member when their identifiers name one (unmatched orders already
    known stay in the queue for operators)."""
    numbers = {line["order_no"] for line in final.values()}
    orders = {
        row.order_no: SimpleNamespace(**row._mapping)
        for row in db.session.execute(
            select(*(getattr(RebateOrder, name) for name in ORDER_FIELDS)).where(
                RebateOrder.network == network, RebateOrder.order_no.in_(numbers)
            )
        )
    }
    first_line = {}
    for line in final.values():
        first_line.setdefault(line["order_no"], line)
    waiting = [number for number in numbers if number not in orders]
    matches = matching.members_for([first_line[number]["identifiers"] for number in waiting])
    terms.look_up(match[0] for match in matches if match is not None)
    new_rows = []
    for order_no, match in zip(waiting, matches, strict=True):
        line = first_line[order_no]
        values = {}
        if match is not None:
            user_id, how = match
            values = matching.match_values(
                user_id, how, terms.terms(user_id), line["placed_at"], moment
            )
        new_rows.append(
            {
                "network": network,
                "order_no": order_no,
                "tracking": tracking_text(line["identifiers"]),
                "placed_at": line["placed_at"],
                "first_seen_at": moment,
                "buyer_share": 0,
                "inviter_id": None,
                "referral_share": 0,
                "referral_wait_until": None,
                "referral_void_at": None,
                "user_id": None,
                "matched_by": None,
                "matched_at": None,
                **values,
            }
        )
    if new_rows:
        db.session.execute(insert(RebateOrder.__table__), new_rows)
        created = db.session.execute(
            select(RebateOrder.order_no, RebateOrder.id).where(
                RebateOrder.network == network,
                RebateOrder.order_no.in_([row["order_no"] for row in new_rows]),
            )
        )
        ids = dict(created.all())
        for row in new_rows:
            orders[row["order_no"]] = SimpleNamespace(
                id=ids[row["order_no"]],
                **{name: row[name] for name in ORDER_FIELDS if name != "id"},
            )
    for line in final.values():
        if "id" not in line and orders[line["order_no"]].user_id is None:
            tally.unmatched += 1
    return orders


def tracking_text(identifiers) -> str:
    return " ".join(f"{name}={value}" for name, value in identifiers)[:255]


def write_lines(final: dict, orders: dict, network: str, import_id: int, moment: datetime):
    """Insert new lines and update changed ones; new lines get their ids in `final`."""
    columns = ("status", "network_status", "commission", "paid_amount", "settled_at", "placed_at")
    new = [line for line in final.values() if "id" not in line]
    changed = [line for line in final.values() if "id" in line]
    if new:
        rows = [
            {
                "order_id": orders[line["order_no"]].id,
                "network": network,
                "line_key": line["line_key"],
                "item": line["item"],
                "updated_at": moment,
                "import_id": import_id,
                **{name: line[name] for name in columns},
            }
            for line in new
        ]
        db.session.execute(insert(RebateOrderLine.__table__), rows)
        ids = dict(
            db.session.execute(
                select(RebateOrderLine.line_key, RebateOrderLine.id).where(
                    RebateOrderLine.network == network,
                    RebateOrderLine.line_key.in_([line["line_key"] for line in new]),
                )
            ).all()
        )
        for line in new:
            line["id"] = ids[line["line_key"]]
            line["new"] = True
    if changed:
        table = RebateOrderLine.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("line_id"))
            .values(
                updated_at=bindparam("updated_at"),
                import_id=bindparam("import_id"),
                **{name: bindparam(f"new_{name}") for name in columns},
            ),
            [
                {
                    "line_id": line["id"],
                    "updated_at": moment,
                    "import_id": import_id,
                    **{f"new_{name}": line[name] for name in columns},
                }
                for line in changed
            ],
        )


def credit_lines(final: dict, orders: dict, holding_days: int, import_id: int, moment) -> None:
    """Bring the ledger in line with the chunk's lines of matched orders."""
    fields = {"import_id": import_id}
    matched = [line for line in final.values() if orders[line["order_no"]].user_id is not None]
    known = [line["id"] for line in matched if not line.get("new")]
    credited = ledger.credited_for_lines(known)
    entries = []
    for line in matched:
        order = orders[line["order_no"]]
        entries += ledger.line_differences(line, order, credited, holding_days, moment, **fields)
    ledger.write(entries)
