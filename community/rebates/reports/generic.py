"""The generic CSV any other network's report can be turned into:
`order_id,sub_id,status,paid_amount,commission,paid_at,settled_at`, amounts in yuan with up to
two decimals, status `paid`, `settled`, `invalid` or `refunded`, times ISO-8601 (China time
when they name no offset), `settled_at` empty until settled.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from community.rebates.models import INVALID, PAID, REFUNDED, SETTLED
from community.rebates.reports import values

ALIASES = {
    "order_id": ("order_id", "订单号"),
    "sub_id": ("sub_id", "子账号"),
    "status": ("status", "状态"),
    "paid_amount": ("paid_amount", "付款金额"),
    "commission": ("commission", "佣金"),
    "paid_at": ("paid_at", "付款时间"),
    "settled_at": ("settled_at", "结算时间"),
}
REQUIRED = ("order_id", "sub_id", "status", "paid_amount", "commission")
STATUSES = {"paid": PAID, "settled": SETTLED, "invalid": INVALID, "refunded": REFUNDED}


class Reader:
    def __init__(self, moment):
        self.moment = moment

    def row(self, cells: dict) -> dict | None:
        order_id = values.identifier(cells["order_id"], "order_id")
        network_status = values.text(cells["status"]).lower()
        status = STATUSES.get(network_status)
        if status is None:
            raise values.BadValue("status", _l("must be paid, settled, invalid or refunded"))
        sub_id = values.tracking(cells["sub_id"])
        return {
            "order_no": order_id,
            "line_key": order_id,
            "status": status,
            "network_status": network_status,
            "commission": values.yuan(cells["commission"], "commission"),
            "paid_amount": values.yuan(cells["paid_amount"], "paid_amount"),
            "placed_at": values.china_time(cells.get("paid_at"), "paid_at"),
            "settled_at": values.china_time(cells.get("settled_at"), "settled_at")
            if status == SETTLED
            else None,
            "item": "",
            "identifiers": (("sub_id", sub_id),) if sub_id else (),
        }
