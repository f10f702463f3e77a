"""Issuing sub ids, recording Taobao bindings, and finding the member behind an identifier."""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.affiliate.models import AffiliateIdentity
from community.clock import utcnow
from community.database import insert_unless_present
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db

# Lower-case letters and digits: safe in any URL, query string or JSON without escaping, and
# accepted by every network's sub id field. 12 of them: 36**12 (about 4.7e18) possibilities.
SUB_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
SUB_ID_LENGTH = 12
# Taobao's adzone, relation and special ids and JD's positionId are numbers of up to 20
# digits; a Pinduoduo p_id is two numbers joined by an underscore ("8888888_12345678").
TAOBAO_ID = re.compile(r"[0-9]{1,20}")
PDD_PID = re.compile(r"[0-9]{1,15}_[0-9]{1,15}")
BINDINGS = ("adzone_id", "relation_id", "special_id", "jd_position_id", "pdd_pid")
# Positions are the site's own, given to a member by an operator; the rest the member records.
OPERATOR_BINDINGS = ("adzone_id", "jd_position_id", "pdd_pid")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def new_sub_id() -> str:
    """An opaque id: random, so not derived from the user id or email, nor guessable."""
    return "".join(secrets.choice(SUB_ID_ALPHABET) for _ in range(SUB_ID_LENGTH))


def identity_of(user) -> AffiliateIdentity:
    """The member's identity, created with a fresh sub id on first use (two requests at once
    create one: the second waits for the first's row and uses it)."""
    identity = db.session.get(AffiliateIdentity, user.id)
    if identity is None:
        insert_unless_present(
            db.session,
            AffiliateIdentity,
            {"user_id": user.id, "sub_id": new_sub_id(), "created_at": utcnow()},
            ["user_id"],
        )
        identity = db.session.get(AffiliateIdentity, user.id, populate_existing=True)
    return identity


def sub_id_of(user) -> str:
    return identity_of(user).sub_id


def member_id_by(field: str, value: str | None) -> int | None:
    """The user id behind a sub id, adzone, relation or special id; None when nobody's."""
    if field not in ("sub_id", *BINDINGS):
        raise ValueError(f"unknown affiliate identifier {field!r}")
    value = (value or "").strip()
    if not value:
        return None
    column = getattr(AffiliateIdentity, field)
    return db.session.scalar(select(AffiliateIdentity.user_id).where(column == value))


def clean_taobao_id(field: str, raw: str | None) -> str | None:
    """A network id as digits, or a p_id as digits_digits (full-width digits and spaces folded
    away); None for empty."""
    text = "".join((raw or "").split()).translate(FULL_WIDTH_DIGITS).replace("＿", "_")
    if not text:
        return None
    if field == "pdd_pid":
        if not PDD_PID.fullmatch(text):
            raise ValidationFailed(
                [(field, str(_l("Enter the p_id as Pinduoduo shows it, like 8888888_12345678.")))]
            )
        return text
    if not TAOBAO_ID.fullmatch(text):
        raise ValidationFailed(
            [(field, str(_l("Enter the number as Taobao shows it (digits only).")))]
        )
    return text


def bind(user, field: str, raw: str | None) -> AffiliateIdentity:
    """Record (or clear, with an empty value) one Taobao binding of `user`: unique to them."""
    if field not in BINDINGS:
        raise ValueError(f"unknown binding {field!r}")
    value = clean_taobao_id(field, raw)
    identity = identity_of(user)
    taken = ValidationFailed(
        [(field, str(_l("This number belongs to another member. Please contact us.")))]
    )
    owner = member_id_by(field, value)
    if owner is not None and owner != user.id:
        raise taken
    try:
        # Another member may record the same number at this moment: the unique index decides.
        with db.session.begin_nested():
            setattr(identity, field, value)
    except IntegrityError:
        db.session.refresh(identity)
        raise taken from None
    return identity


def assign_adzone(actor, user, raw: str | None) -> AffiliateIdentity:
    """An operator gives `user` a Taobao adzone (推广位) of the site's, or takes it back."""
    return assign_position(actor, user, "adzone_id", raw)


def assign_position(actor, user, field: str, raw: str | None) -> AffiliateIdentity:
    """An operator gives `user` one of the site's promotion positions (Taobao adzone, JD
    positionId, Pinduoduo p_id), or takes it back."""
    if actor is None or not getattr(actor, "is_operator", False):
        raise NotAllowed(str(_l("Operators only.")))
    if field not in OPERATOR_BINDINGS:
        raise ValueError(f"not an operator's binding {field!r}")
    return bind(user, field, raw)


def record_member_binding(user, field: str, raw: str | None) -> AffiliateIdentity:
    """The member records their own 渠道关系ID (relation_id) or 会员运营ID (special_id)."""
    if field not in ("relation_id", "special_id"):
        raise NotAllowed(str(_l("Only an operator can assign an adzone.")))
    return bind(user, field, raw)


def members_by(field: str, values) -> dict[str, int]:
    """value → user id for each of `values` (an identifier of one field) that names a member;
    one query, for matching a batch of imported orders."""
    if field not in ("sub_id", *BINDINGS):
        raise ValueError(f"unknown affiliate identifier {field!r}")
    wanted = {value for value in values if value}
    if not wanted:
        return {}
    column = getattr(AffiliateIdentity, field)
    rows = db.session.execute(
        select(column, AffiliateIdentity.user_id).where(column.in_(wanted))
    ).all()
    return {value: user_id for value, user_id in rows}
