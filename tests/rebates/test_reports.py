"""Real-format report files: Taobao .xlsx, .xls and GB18030 CSV, JD and Pinduoduo rows, the
generic CSV in UTF-8 with a BOM; columns found by name whatever their order; long ids kept
whole; a malformed file refused by line with nothing written; unknown sub ids queued."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from community.affiliate.services import assign_position, record_member_binding, sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import ledger
from community.rebates.importer import import_report
from community.rebates.models import (
    LedgerEntry,
    RebateOrder,
    RebateOrderLine,
    ReportImport,
)
from community.rebates.reports import Refusal, ReportRow, Skipped, read_report
from tests.rebates import reports


def rows_of(path, network):
    return list(read_report(path, network, utcnow()))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv-gbk"])
def test_taobao_exports_read_by_header_name(app, tmp_path, kind):
    headers = list(reports.TAOBAO_HEADERS)
    random.Random(kind).shuffle(headers)
    rows = [
        reports.taobao_row(adzone="109876543210"),
        reports.taobao_row(
            sub_order="3612345678901234569",
            status="订单结算",
            estimate="20.00",
            settled_estimate="18.50",
            settled_at="2026-11-20 03:00:00",
            relation="2888999",
        ),
        reports.taobao_row(sub_order="3612345678901234570", status="订单失效"),
        reports.taobao_row(sub_order="3612345678901234571", status="订单成功", special="7001"),
    ]
    if kind == "xlsx":
        path = reports.write_xlsx(tmp_path / "tb.xlsx", headers, rows, numbers={"付款金额"})
    elif kind == "xls":
        path = reports.write_xls(tmp_path / "tb.xls", headers, rows, numbers={"付款金额"})
    else:
        path = reports.write_csv(tmp_path / "tb.csv", headers, rows, "gb18030")
    parsed = rows_of(path, "taobao")
    assert all(isinstance(row, ReportRow) for row in parsed), parsed
    assert [row.status for row in parsed] == ["paid", "settled", "invalid", "received"]
    first, settled = parsed[0], parsed[1]
    assert first.order_no == "3612345678901234567"
    assert first.line_key == "3612345678901234568"
    assert (first.paid_amount, first.commission) == (19900, 2000)
    assert first.identifiers == (("adzone_id", "109876543210"),)
    # Settled lines earn the settlement estimate.
    assert settled.commission == 1850
    assert settled.settled_at.isoformat() == "2026-11-19T19:00:00+00:00"
    assert settled.identifiers == (("relation_id", "2888999"),)
    assert parsed[3].identifiers == (("special_id", "7001"),)
    assert first.item == "蓝牙耳机 降噪"


def test_the_older_taobao_xls_layout_with_excel_dates(app, tmp_path):
    rows = [
        reports.taobao_old_row("267890123456789012", "590001", 广告位ID="45678901"),
        reports.taobao_old_row("267890123456789012", "590001", 广告位ID="45678901"),
        reports.taobao_old_row(
            "267890123456789013",
            "590002",
            status="订单结算",
            预估收入="5.10",
            结算时间=datetime(2019, 7, 1, 9, 0, 0),
        ),
    ]
    path = reports.write_xls(tmp_path / "old.xls", reports.TAOBAO_OLD_HEADERS, rows)
    first, second, settled = rows_of(path, "taobao")
    assert (first.order_no, first.line_key) == ("267890123456789012", "267890123456789012-590001-1")
    assert second.line_key == "267890123456789012-590001-2"
    assert first.identifiers == (("adzone_id", "45678901"),)
    assert first.placed_at == datetime(2019, 6, 18, 12, 15, 3, tzinfo=UTC)
    assert (settled.status, settled.commission) == ("settled", 510)
    assert settled.settled_at == datetime(2019, 7, 1, 1, 0, 0, tzinfo=UTC)


def test_excel_trailing_zero_and_numeric_ids(app, tmp_path):
    row = reports.taobao_row(order_no="361234567890.0", sub_order="")
    row["商品ID"] = "682345678901"
    path = reports.write_xlsx(
        tmp_path / "n.xlsx", reports.TAOBAO_HEADERS, [row, dict(row)], numbers={"商品ID"}
    )
    first, second = rows_of(path, "taobao")
    assert first.order_no == "361234567890"
    # Without a 子订单号 a line is the order, the item and its place among that item's lines.
    assert (first.line_key, second.line_key) == (
        "361234567890-682345678901-1",
        "361234567890-682345678901-2",
    )


def test_an_order_id_excel_stored_as_a_number_past_its_precision_is_refused(app, tmp_path):
    row = reports.taobao_row(order_no="3612345678901234567")
    path = reports.write_xlsx(
        tmp_path / "lost.xlsx", reports.TAOBAO_HEADERS, [row], numbers={"淘宝父订单号"}
    )
    (refusal,) = rows_of(path, "taobao")
    assert isinstance(refusal, Refusal) and refusal.line == 2
    assert "淘宝父订单号" in refusal.reason


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_jd_rows_map_valid_codes_and_skip_split_parents(app, tmp_path, encoding):
    rows = [
        reports.jd_row("9001", "250001", "16", sub_union="abc"),
        reports.jd_row("9002", "250002", "17", pay_month="20991231"),
        reports.jd_row("9003", "250003", "17", pay_month="20260120", actual="4.20"),
        reports.jd_row("9004", "250004", "18", actual="1.00"),
        reports.jd_row("9005", "250005", "2"),
        reports.jd_row("9006", "250006", "24", position="3003"),
        reports.jd_row("9007", "250007", "15"),
    ]
    path = reports.write_csv(tmp_path / "jd.csv", reports.JD_HEADERS, rows, encoding)
    parsed = rows_of(path, "jd")
    assert parsed[0].item == "京东 电动牙刷"
    assert isinstance(parsed[4], Skipped)
    statuses = [row.status for row in parsed if isinstance(row, ReportRow)]
    assert statuses == ["paid", "received", "settled", "settled", "paid", "invalid"]
    assert parsed[0].identifiers == (("sub_id", "abc"),)
    assert parsed[2].commission == 420 and parsed[1].commission == 560
    assert parsed[5].identifiers == (("jd_position_id", "3003"),)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_pdd_rows_in_fen_with_uid_in_custom_parameters(app, tmp_path, encoding):
    rows = [
        reports.pdd_row("241102-123456789012345", "1", uid="u1abc"),
        reports.pdd_row("241102-123456789012346", "3", p_id="8888888_12345678"),
        reports.pdd_row("241102-123456789012347", "5", settle_time="1794000000"),
        reports.pdd_row("241102-123456789012348", "4"),
    ]
    path = reports.write_csv(tmp_path / "pdd.csv", reports.PDD_HEADERS, rows, encoding)
    first, second, third, fourth = rows_of(path, "pdd")
    assert first.item == "拼多多 纸巾 10包"
    assert [r.status for r in (first, second, third, fourth)] == [
        "paid",
        "received",
        "settled",
        "invalid",
    ]
    assert (first.commission, first.paid_amount) == (299, 2990)
    assert first.identifiers == (("sub_id", "u1abc"),)
    assert second.identifiers == (("pdd_pid", "8888888_12345678"),)
    assert third.settled_at.timestamp() == 1794000000


def test_each_network_matches_by_its_identifiers(app, tmp_path, make_user, operator):
    tb = make_user(tier="member")
    jd = make_user(tier="member")
    pdd = make_user(tier="member")
    assign_position(operator, tb, "adzone_id", "555001")
    record_member_binding(jd, "relation_id", "777")
    assign_position(operator, pdd, "pdd_pid", "1_2")
    jd_sub = sub_id_of(jd)
    db.session.commit()
    moment = utcnow()
    import_report(
        reports.write_xlsx(
            tmp_path / "t.xlsx",
            reports.TAOBAO_HEADERS,
            [
                reports.taobao_row(adzone="555001"),
                reports.taobao_row(order_no="1", sub_order="2", relation="777"),
            ],
        ),
        "taobao",
        moment,
    )
    import_report(
        reports.write_csv(
            tmp_path / "j.csv", reports.JD_HEADERS, [reports.jd_row("1", "2", sub_union=jd_sub)]
        ),
        "jd",
        moment,
    )
    import_report(
        reports.write_csv(
            tmp_path / "p.csv", reports.PDD_HEADERS, [reports.pdd_row("9", p_id="1_2")]
        ),
        "pdd",
        moment,
    )
    owners = dict(db.session.execute(select(RebateOrder.order_no, RebateOrder.user_id)).all())
    assert owners == {"3612345678901234567": tb.id, "1": jd.id, "2": jd.id, "9": pdd.id}
    assert ledger.balances(tb.id, moment).pending == 1000


def test_a_malformed_file_is_refused_by_line_and_writes_nothing(app, tmp_path, member):
    sub = sub_id_of(member)
    db.session.commit()
    rows = [
        reports.generic_row("OK1", sub),
        reports.generic_row("BAD2", sub, commission="1e3"),
        reports.generic_row("BAD3", sub, status="shipped"),
        reports.generic_row("BAD4", sub, paid_at="yesterday"),
        reports.generic_row("OK5", sub),
    ]
    path = reports.write_csv(tmp_path / "bad.csv", reports.GENERIC_HEADERS, rows)
    run = import_report(path, "generic", utcnow())
    assert run.status == "refused" and run.refused == 3
    assert [line for line, _reason in json.loads(run.refusals)] == [3, 4, 5]
    assert count(RebateOrderLine) == 0 and count(LedgerEntry) == 0
    partial = import_report(path, "generic", utcnow(), partial=True)
    assert (partial.status, partial.new_lines, partial.refused) == ("partial", 2, 3)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_malformed_taobao_workbook_is_refused_by_line_and_writes_nothing(
    app, tmp_path, operator, member, kind
):
    assign_position(operator, member, "adzone_id", "660001")
    db.session.commit()
    rows = [
        reports.taobao_row(sub_order="1", adzone="660001"),
        reports.taobao_row(sub_order="2", adzone="660001", paid="十九元"),
        reports.taobao_row(sub_order="3", status="订单结算", settled_estimate="1.234"),
        reports.taobao_row(order_no="", sub_order="4"),
        reports.taobao_row(sub_order="5", paid_at="昨天"),
        reports.taobao_row(sub_order="6", adzone="660001"),
    ]
    write = reports.write_xlsx if kind == "xlsx" else reports.write_xls
    path = write(tmp_path / f"bad.{kind}", reports.TAOBAO_HEADERS, rows)
    run = import_report(path, "taobao", utcnow())
    refusals = json.loads(run.refusals)
    assert (run.status, run.rows_read, run.refused) == ("refused", 6, 4)
    assert [line for line, _reason in refusals] == [3, 4, 5, 6]
    assert "付款金额" in refusals[0][1] and "淘宝父订单号" in refusals[2][1]
    assert count(RebateOrderLine) == 0 and count(LedgerEntry) == 0
    assert ledger.balances(member.id, utcnow()).pending == 0


def test_a_file_without_the_columns_is_refused_whole(app, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("名称,价格\n苹果,3\n", encoding="utf-8")
    run = import_report(path, "generic", utcnow())
    assert run.status == "refused" and run.rows_read == 0
    assert "order_id" in json.loads(run.refusals)[0][1]
    assert count(ReportImport) == 1


def test_unknown_sub_ids_are_queued_not_lost(app, tmp_path, member):
    path = reports.write_csv(
        tmp_path / "u.csv",
        reports.GENERIC_HEADERS,
        [reports.generic_row("U1", "nobody123"), reports.generic_row("U2", "")],
    )
    run = import_report(path, "generic", utcnow())
    assert (run.status, run.new_lines, run.unmatched) == ("done", 2, 2)
    queued = db.session.scalars(select(RebateOrder).where(RebateOrder.user_id.is_(None))).all()
    assert {order.order_no for order in queued} == {"U1", "U2"}
    assert queued[0].tracking in ("sub_id=nobody123", "")
    assert count(LedgerEntry) == 0
