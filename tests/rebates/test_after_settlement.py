"""Disputes (维权) and refunds reported after settlement, in each network's own report: the
buyer's and the inviter's credits are clawed back with negative entries, and reading the same
report again changes nothing."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import func, select

from community.affiliate.services import assign_position, sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import ledger
from community.rebates.importer import import_report
from community.rebates.models import LedgerEntry
from tests.rebates import reports
from tests.rebates.conftest import days_later

SETTLED_AT = days_later(-30).strftime("%Y-%m-%d %H:%M:%S")


def taobao_report(path, buyer, dispute=""):
    row = reports.taobao_row(
        status="订单结算",
        estimate="90.00",
        settled_estimate="100.00",
        settled_at=SETTLED_AT,
        adzone="880001",
        dispute=dispute,
    )
    return reports.write_xlsx(path, reports.TAOBAO_HEADERS, [row], numbers={"付款金额"})


def jd_report(path, buyer, code):
    row = reports.jd_row("7001", "5001", code, sub_union=sub_id_of(buyer), actual="100.00")
    return reports.write_csv(path, reports.JD_HEADERS, [row], "gb18030")


def pdd_report(path, buyer, status):
    row = reports.pdd_row(
        "241102-999", status, uid=sub_id_of(buyer), promotion="10000", settle_time="1790000000"
    )
    return reports.write_csv(path, reports.PDD_HEADERS, [row], "utf-8")


# network → (the settled report, the report after the dispute or refund)
REPORTS = {
    "taobao": (taobao_report, partial(taobao_report, dispute="维权创建")),
    "jd": (partial(jd_report, code="18"), partial(jd_report, code="25")),
    "pdd": (partial(pdd_report, status="5"), partial(pdd_report, status="4")),
}


def negative_entries():
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.amount < 0))
    return sorted((entry.kind, entry.amount, entry.state) for entry in rows)


@pytest.mark.parametrize("network", sorted(REPORTS))
def test_a_dispute_or_refund_after_settlement_claws_back_both_levels(
    app, tmp_path, operator, inviter_and_buyer, network
):
    inviter, buyer = inviter_and_buyer
    assign_position(operator, buyer, "adzone_id", "880001")
    db.session.commit()
    settled, clawed = REPORTS[network]
    first = import_report(settled(tmp_path / "settled", buyer), network, utcnow())
    assert (first.status, first.new_lines) == ("done", 1)
    assert ledger.balances(buyer.id, utcnow()).confirmed == 5000
    assert ledger.balances(inviter.id, utcnow()).confirmed == 1000

    report = clawed(tmp_path / "after", buyer)
    run = import_report(report, network, utcnow())
    assert (run.status, run.changed) == ("done", 1)
    assert ledger.balances(buyer.id, utcnow()).confirmed == 0
    assert ledger.balances(inviter.id, utcnow()).confirmed == 0
    assert negative_entries() == [("rebate", -5000, "confirmed"), ("referral", -1000, "confirmed")]

    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    again = import_report(report, network, utcnow())
    assert (again.changed, again.unchanged) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == entries
