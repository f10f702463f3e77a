"""How rebate states read in pages: statuses, networks, payout methods, ledger entries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LINE_STATUSES = {
    "paid": _l("Paid, pending"),
    "received": _l("Received, pending"),
    "settled": _l("Settled"),
    "invalid": _l("Invalid"),
    "refunded": _l("Refunded"),
}
NETWORKS = {
    "taobao": _l("Taobao"),
    "jd": _l("JD"),
    "pdd": _l("Pinduoduo"),
    "generic": _l("Other"),
}
WITHDRAWAL_STATUSES = {
    "requested": _l("Requested"),
    "approved": _l("Approved"),
    "paid": _l("Paid"),
    "rejected": _l("Rejected"),
}
METHODS = {"alipay": _l("Alipay"), "wechat": _l("WeChat Pay"), "bank": _l("Bank transfer")}
KINDS = {
    "rebate": _l("Rebate"),
    "referral": _l("Referral"),
    "withdrawal": _l("Withdrawal"),
    "dues": _l("Membership dues"),
    "adjustment": _l("Adjustment"),
}
STATES = {
    "pending": _l("Pending"),
    "confirmed": _l("Confirmed"),
    "frozen": _l("Frozen"),
    "paid": _l("Paid out"),
}
IMPORT_STATUSES = {
    "done": _l("Imported"),
    "partial": _l("Imported, some rows refused"),
    "refused": _l("Refused, nothing written"),
}


def label(table: dict):
    return lambda value: str(table.get(value, value))


def template_labels() -> dict:
    return {
        "line_status": label(LINE_STATUSES),
        "network_name": label(NETWORKS),
        "withdrawal_status": label(WITHDRAWAL_STATUSES),
        "withdrawal_method": label(METHODS),
        "entry_kind": label(KINDS),
        "entry_state": label(STATES),
        "import_status": label(IMPORT_STATUSES),
    }
