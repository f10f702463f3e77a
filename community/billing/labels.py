"""How billing states read on pages, in the viewer's language."""

from flask_babel import lazy_gettext as _l

from community.membership.labels import label

PAYMENT_KINDS = {"new": _l("new membership"), "renewal": _l("renewal"), "upgrade": _l("upgrade")}
PAYMENT_STATUSES = {
    "pending": _l("awaiting payment"),
    "processing": _l("confirming"),
    "paid": _l("paid"),
    "failed": _l("failed"),
    "flagged": _l("needs review"),
    "refunded": _l("refunded"),
    "partially_refunded": _l("partly refunded"),
}


def template_labels() -> dict:
    return {
        "payment_kind": lambda key: label(PAYMENT_KINDS, key),
        "payment_status": lambda key: label(PAYMENT_STATUSES, key),
    }
