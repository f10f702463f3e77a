"""Report files as the networks' consoles export them, written for tests: Taobao Union .xlsx
(xlsxwriter) and .xls (xlwt) and CSV in GB18030, JD and Pinduoduo CSV, the generic CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import xlsxwriter
import xlwt

TAOBAO_HEADERS = [
    "创建时间",
    "付款时间",
    "商品信息",
    "商品ID",
    "订单状态",
    "付款金额",
    "付款预估收入",
    "结算预估收入",
    "佣金比率",
    "结算时间",
    "淘宝父订单号",
    "淘宝子订单号",
    "推广位ID",
    "渠道关系ID",
    "会员运营ID",
    "维权标签",
]


def taobao_row(
    order_no="3612345678901234567",
    sub_order="3612345678901234568",
    status="订单付款",
    paid="199.00",
    estimate="20.00",
    settled_estimate="",
    adzone="",
    relation="",
    special="",
    settled_at="",
    dispute="",
    item_id="682345678901",
    paid_at="2026-11-01 10:00:00",
):
    return {
        "创建时间": paid_at,
        "付款时间": paid_at,
        "商品信息": "蓝牙耳机 降噪",
        "商品ID": item_id,
        "订单状态": status,
        "付款金额": paid,
        "付款预估收入": estimate,
        "结算预估收入": settled_estimate,
        "佣金比率": "10.00 %",
        "结算时间": settled_at,
        "淘宝父订单号": order_no,
        "淘宝子订单号": sub_order,
        "推广位ID": adzone,
        "渠道关系ID": relation,
        "会员运营ID": special,
        "维权标签": dispute,
    }


def write_csv(path: Path, headers, rows, encoding="utf-8") -> Path:
    """Rows (dicts) under `headers`, in `encoding` (utf-8-sig for a BOM, gb18030 for GBK)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(name, "") for name in headers])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, headers, rows, numbers=()) -> Path:
    """An .xlsx with text cells, except columns in `numbers` written as Excel numbers."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Page1")
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        for column, name in enumerate(headers):
            value = row.get(name, "")
            if name in numbers and value != "":
                sheet.write_number(index, column, float(value))
            else:
                sheet.write_string(index, column, str(value))
    workbook.close()
    return path


def write_xls(path: Path, headers, rows, numbers=()) -> Path:
    """An .xls (BIFF8, Excel 97–2003) as the older Taobao console layout ships it; datetime
    values are written as Excel dates."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Page1")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for column, name in enumerate(headers):
        sheet.write(0, column, name)
    for index, row in enumerate(rows, start=1):
        for column, name in enumerate(headers):
            value = row.get(name, "")
            if isinstance(value, datetime):
                sheet.write(index, column, value, dated)
            else:
                number = name in numbers and value != ""
                sheet.write(index, column, float(value) if number else value)
    workbook.save(str(path))
    return path


# The older Taobao Union layout (.xls): no 子订单号 (an order's lines are told apart by
# 商品ID and their count), 订单编号 and 广告位ID for today's 淘宝父订单号 and 推广位ID, 效果预估
# and 预估收入 for the estimates.
TAOBAO_OLD_HEADERS = [
    "创建时间",
    "点击时间",
    "商品信息",
    "商品ID",
    "掌柜旺旺",
    "所属店铺",
    "商品数",
    "商品单价",
    "订单状态",
    "订单类型",
    "收入比率",
    "分成比率",
    "付款金额",
    "效果预估",
    "结算金额",
    "预估收入",
    "结算时间",
    "佣金比率",
    "佣金金额",
    "订单编号",
    "类目名称",
    "来源媒体ID",
    "广告位ID",
    "广告位名称",
]


def taobao_old_row(order_no, item_id, status="订单付款", paid="59.00", estimate="5.90", **more):
    return {
        "创建时间": datetime(2019, 6, 18, 20, 15, 3),
        "点击时间": datetime(2019, 6, 18, 20, 10, 0),
        "商品信息": "夏季 纯棉 T恤",
        "商品ID": item_id,
        "掌柜旺旺": "某某旗舰店",
        "所属店铺": "某某旗舰店",
        "商品数": "1",
        "商品单价": paid,
        "订单状态": status,
        "订单类型": "天猫",
        "收入比率": "10.00 %",
        "分成比率": "100.00 %",
        "付款金额": paid,
        "效果预估": estimate,
        "结算金额": "",
        "预估收入": "",
        "结算时间": "",
        "佣金比率": "10.00 %",
        "佣金金额": "",
        "订单编号": order_no,
        "类目名称": "女装",
        "来源媒体ID": "12345678",
        "广告位ID": "",
        "广告位名称": "会员推广位",
        **more,
    }


GENERIC_HEADERS = [
    "order_id",
    "sub_id",
    "status",
    "paid_amount",
    "commission",
    "paid_at",
    "settled_at",
]


def generic_row(
    order_id,
    sub_id,
    status="paid",
    paid="100.00",
    commission="10.00",
    paid_at="2026-11-01T10:00:00+08:00",
    settled_at="",
):
    return {
        "order_id": order_id,
        "sub_id": sub_id,
        "status": status,
        "paid_amount": paid,
        "commission": commission,
        "paid_at": paid_at,
        "settled_at": settled_at,
    }


JD_HEADERS = [
    "id",
    "orderId",
    "parentId",
    "skuId",
    "skuName",
    "validCode",
    "estimateCosPrice",
    "estimateFee",
    "actualFee",
    "orderTime",
    "finishTime",
    "payMonth",
    "subUnionId",
    "positionId",
]


def jd_row(
    line_id,
    order_id,
    valid_code="16",
    sub_union="",
    position="",
    estimate="5.60",
    actual="",
    pay_month="0",
    parent_id="0",
    sku_id="100012345678",
):
    return {
        "id": line_id,
        "orderId": order_id,
        "parentId": parent_id,
        "skuId": sku_id,
        "skuName": "京东 电动牙刷",
        "validCode": valid_code,
        "estimateCosPrice": "56.00",
        "estimateFee": estimate,
        "actualFee": actual,
        "orderTime": "2026-11-02 09:30:00",
        "finishTime": "",
        "payMonth": pay_month,
        "subUnionId": sub_union,
        "positionId": position,
    }


PDD_HEADERS = [
    "order_sn",
    "goods_name",
    "order_status",
    "order_amount",
    "promotion_amount",
    "promotion_rate",
    "order_pay_time",
    "order_receive_time",
    "order_settle_time",
    "custom_parameters",
    "p_id",
]


def pdd_row(order_sn, status="0", uid="", p_id="", amount="2990", promotion="299", settle_time="0"):
    return {
        "order_sn": order_sn,
        "goods_name": "拼多多 纸巾 10包",
        "order_status": status,
        "order_amount": amount,
        "promotion_amount": promotion,
        "promotion_rate": "100",
        "order_pay_time": "1793502000",
        "order_receive_time": "0",
        "order_settle_time": settle_time,
        "custom_parameters": f'{{"uid":"{uid}","sid":"deal-7"}}' if uid else "",
        "p_id": p_id,
    }
