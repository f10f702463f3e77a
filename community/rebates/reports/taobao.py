"""Taobao Union (淘宝联盟) order exports: .xls (older layout), .xlsx (newer) or CSV saved from
them, and the API's field names.

Status: 订单付款/12 → paid; 订单成功/14 → received (still pending); 订单结算/3 → settled;
anything else (订单失效/13) → invalid. A 维权 (dispute) tag claws the line back. Commission
is the settlement estimate once settled, else the estimate at payment.
"""

from __future__ import annotations

from community.rebates.models import INVALID, PAID, RECEIVED, REFUNDED, SETTLED
from community.rebates.reports import values

ALIASES = {
    "order_no": ("淘宝父订单号", "订单编号", "父订单号", "trade_parent_id"),
    "sub_order": ("淘宝子订单号", "子订单号", "trade_id"),
    "item_id": ("商品ID", "item_id"),
    "item": ("商品信息", "商品名称", "item_title"),
    "status": ("订单状态", "tk_status"),
    "created_at": ("创建时间", "tk_create_time"),
    "paid_at": ("付款时间", "tk_paid_time"),
    "settled_at": ("结算时间", "tk_earning_time"),
    "paid_amount": ("付款金额", "alipay_total_price"),
    "paid_estimate": ("付款预估收入", "效果预估", "pub_share_pre_fee"),
    "settled_estimate": ("结算预估收入", "预估收入", "pub_share_fee"),
    "rate": ("佣金比率", "total_commission_rate"),
    "adzone_id": ("推广位ID", "广告位ID", "adzone_id"),
    "relation_id": ("渠道关系ID", "relation_id"),
    "special_id": ("会员运营ID", "special_id"),
    "dispute": ("维权标签", "refund_tag"),
}
REQUIRED = ("order_no", "status", "paid_amount", "paid_estimate")
STATUSES = {
    "订单付款": PAID,
    "12": PAID,
    "订单成功": RECEIVED,
    "14": RECEIVED,
    "订单结算": SETTLED,
    "3": SETTLED,
}
NO_DISPUTE = ("", "0", "-", "--", "无", "否", "非维权", "无维权")
IDENTIFIERS = ("adzone_id", "relation_id", "special_id")


class Reader:
    """Rows of one file; lines without a 子订单号 are numbered within their order and item."""

    def __init__(self, moment):
        self.moment = moment
        self.current_order = None
        self.sequence: dict[str, int] = {}

    def line_key(self, order_no: str, cells: dict) -> str:
        sub_order = values.identifier(cells.get("sub_order"), "sub_order", required=False)
        if sub_order:
            return sub_order
        item_id = values.identifier(cells.get("item_id"), "item_id", required=False)
        if order_no != self.current_order:
            # An order's lines are next to each other in an export: one order's counts at a time.
            self.current_order, self.sequence = order_no, {}
        number = self.sequence.get(item_id, 0) + 1
        self.sequence[item_id] = number
        return f"{order_no}-{item_id}-{number}"

    def row(self, cells: dict) -> dict | None:
        order_no = values.identifier(cells["order_no"], "order_no")
        network_status = values.code(cells["status"])
        status = STATUSES.get(network_status, INVALID)
        if values.text(cells.get("dispute")) not in NO_DISPUTE:
            status = REFUNDED
        commission = values.yuan(cells["paid_estimate"], "paid_estimate")
        if status == SETTLED and values.text(cells.get("settled_estimate")):
            commission = values.yuan(cells["settled_estimate"], "settled_estimate")
        placed_at = values.china_time(cells.get("paid_at"), "paid_at") or values.china_time(
            cells.get("created_at"), "created_at"
        )
        settled_at = None
        if status == SETTLED:
            settled_at = values.china_time(cells.get("settled_at"), "settled_at")
        return {
            "order_no": order_no,
            "line_key": self.line_key(order_no, cells),
            "status": status,
            "network_status": network_status[:32],
            "commission": commission,
            "paid_amount": values.yuan(cells["paid_amount"], "paid_amount"),
            "placed_at": placed_at,
            "settled_at": settled_at,
            "item": values.text(cells.get("item"))[:200],
            "identifiers": tuple(
                (field, value)
                for field in IDENTIFIERS
                if (value := values.tracking(cells.get(field)))
            ),
        }
