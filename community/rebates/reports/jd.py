"""JD Union (京东联盟) order rows with the order API's fields (or the console's Chinese headers).

validCode 16 (paid) and 24 (deposit paid) → paid; 17 (finished) → received until its payMonth
(the settlement day, yyyyMMdd) has passed, then settled; 18 (settled, older reports) →
settled; 2 (a split parent, whose children come as rows of their own) is skipped; anything
else → invalid. Commission is actualFee once settled, else estimateFee.
"""

from __future__ import annotations

from community.rebates.models import INVALID, PAID, RECEIVED, SETTLED
from community.rebates.reports import values

ALIASES = {
    "id": ("id", "订单行ID"),
    "order_no": ("orderId", "订单号", "订单ID"),
    "parent_id": ("parentId", "父单号"),
    "sku_id": ("skuId", "商品ID", "SKUID"),
    "item": ("skuName", "商品名称"),
    "valid_code": ("validCode", "订单状态"),
    "paid_amount": ("estimateCosPrice", "预估计佣金额"),
    "estimate_fee": ("estimateFee", "预估佣金"),
    "actual_fee": ("actualFee", "实际佣金"),
    "order_time": ("orderTime", "下单时间"),
    "finish_time": ("finishTime", "完成时间"),
    "pay_month": ("payMonth", "预估结算时间"),
    "sub_union_id": ("subUnionId", "子联盟ID"),
    "position_id": ("positionId", "推广位ID"),
}
REQUIRED = ("order_no", "valid_code", "paid_amount", "estimate_fee")
SPLIT_PARENT = "2"
TEXT_CODES = {"已付款": "16", "已完成": "17", "已结算": "18", "已付定金": "24", "拆单": "2"}


class Reader:
    def __init__(self, moment):
        self.today = values.china_today(moment)

    def row(self, cells: dict) -> dict | None:
        network_status = values.code(cells["valid_code"])
        network_status = TEXT_CODES.get(network_status, network_status)
        if network_status == SPLIT_PARENT:
            return None
        order_no = values.identifier(cells["order_no"], "order_no")
        sku_id = values.identifier(cells.get("sku_id"), "sku_id", required=False)
        line_id = values.identifier(cells.get("id"), "id", required=False)
        pay_day = values.day_number(cells.get("pay_month"), "pay_month")
        if network_status in ("16", "24"):
            status = PAID
        elif network_status == "17":
            status = SETTLED if pay_day is not None and pay_day < self.today else RECEIVED
        elif network_status == "18":
            status = SETTLED
        else:
            status = INVALID
        commission = values.yuan(cells["estimate_fee"], "estimate_fee")
        if status == SETTLED and values.text(cells.get("actual_fee")):
            commission = values.yuan(cells["actual_fee"], "actual_fee")
        settled_at = None
        if status == SETTLED:
            settled_at = (
                values.day_start(pay_day)
                if pay_day
                else values.china_time(cells.get("finish_time"), "finish_time")
            )
        identifiers = (
            ("sub_id", values.tracking(cells.get("sub_union_id"))),
            ("jd_position_id", values.tracking(cells.get("position_id"))),
        )
        return {
            "order_no": order_no,
            "line_key": line_id or f"{order_no}-{sku_id}",
            "status": status,
            "network_status": network_status[:32],
            "commission": commission,
            "paid_amount": values.yuan(cells["paid_amount"], "paid_amount"),
            "placed_at": values.china_time(cells.get("order_time"), "order_time"),
            "settled_at": settled_at,
            "item": values.text(cells.get("item"))[:200],
            "identifiers": tuple((field, value) for field, value in identifiers if value),
        }
