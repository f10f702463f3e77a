"""Pinduoduo (多多进宝) order rows with the order API's fields.

order_status 0–2 → paid; 3 → received (still pending); 5 → settled; anything else → invalid.
Amounts are in fen, promotion_rate per mille, times UNIX seconds; custom_parameters is the
JSON the go link sent (its `uid` is the member's sub id).
"""

from __future__ import annotations

import json

from community.rebates.models import INVALID, PAID, RECEIVED, SETTLED
from community.rebates.reports import values

ALIASES = {
    "order_sn": ("order_sn", "订单编号", "订单号"),
    "status": ("order_status", "订单状态"),
    "order_amount": ("order_amount", "订单金额"),
    "promotion_amount": ("promotion_amount", "佣金金额", "预估佣金"),
    "promotion_rate": ("promotion_rate", "佣金比例"),
    "pay_time": ("order_pay_time", "支付时间"),
    "receive_time": ("order_receive_time", "确认收货时间"),
    "settle_time": ("order_settle_time", "结算时间"),
    "custom_parameters": ("custom_parameters", "自定义参数"),
    "p_id": ("p_id", "推广位ID"),
    "item": ("goods_name", "商品名称"),
}
REQUIRED = ("order_sn", "status", "order_amount", "promotion_amount")
STATUSES = {"0": PAID, "1": PAID, "2": PAID, "3": RECEIVED, "5": SETTLED}
TEXT_CODES = {"已支付": "0", "已成团": "1", "确认收货": "2", "审核成功": "3", "已结算": "5"}


def uid_of(raw) -> str:
    """The `uid` in custom_parameters ({"uid": "..."}); a bare value is taken as the uid."""
    cleaned = values.text(raw)
    if not cleaned:
        return ""
    try:
        parsed = json.loads(cleaned)
    except ValueError:
        return values.tracking(cleaned)
    if isinstance(parsed, dict):
        return values.tracking(parsed.get("uid"))
    return values.tracking(cleaned)


class Reader:
    def __init__(self, moment):
        self.moment = moment

    def row(self, cells: dict) -> dict | None:
        order_sn = values.identifier(cells["order_sn"], "order_sn")
        network_status = values.code(cells["status"])
        network_status = TEXT_CODES.get(network_status, network_status)
        status = STATUSES.get(network_status, INVALID)
        identifiers = (
            ("sub_id", uid_of(cells.get("custom_parameters"))),
            ("pdd_pid", values.tracking(cells.get("p_id"))),
        )
        return {
            "order_no": order_sn,
            "line_key": order_sn,
            "status": status,
            "network_status": network_status[:32],
            "commission": values.fen(cells["promotion_amount"], "promotion_amount"),
            "paid_amount": values.fen(cells["order_amount"], "order_amount"),
            "placed_at": values.unix_seconds(cells.get("pay_time"), "pay_time"),
            "settled_at": values.unix_seconds(cells.get("settle_time"), "settle_time")
            if status == SETTLED
            else None,
            "item": values.text(cells.get("item"))[:200],
            "identifiers": tuple((field, value) for field, value in identifiers if value),
        }
