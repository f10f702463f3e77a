"""How membership states read on pages, in the viewer's language."""

from flask_babel import lazy_gettext as _l

CHANGE_ACTIONS = {
    "new": _l("joined"),
    "renewal": _l("renewed"),
    "upgrade": _l("upgraded"),
    "refund": _l("refunded"),
    "upgrade_cut": _l("upgrade cut: the time under it was refunded or revoked"),
    "comp": _l("complimentary period granted"),
    "comp_revoked": _l("complimentary period revoked"),
    "grace": _l("grace period after a failed renewal"),
    "grace_ended": _l("grace period replaced by a payment"),
    "tier_changed": _l("tier changed"),
    "flagged": _l("payment flagged for review"),
    "auto_renew_on": _l("auto-renew on"),
    "auto_renew_off": _l("auto-renew off"),
    "downgrade_scheduled": _l("lower tier chosen for the next renewal"),
}
PERIOD_SOURCES = {
    "payment": _l("paid"),
    "upgrade": _l("paid upgrade"),
    "comp": _l("complimentary"),
    "grace": _l("grace"),
    "change": _l("tier change"),
}


def label(table: dict, key: str) -> str:
    return str(table.get(key, key))


def template_labels() -> dict:
    return {
        "change_action": lambda key: label(CHANGE_ACTIONS, key),
        "period_source": lambda key: label(PERIOD_SOURCES, key),
    }
