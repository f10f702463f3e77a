"""Operator-set rebate rules (referral share, holding days, minimum withdrawal), one row."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from community.errors import ValidationFailed
from community.extensions import db
from community.rebates.models import RebateSettings

MAX_HOLDING_DAYS = 365
MAX_MINIMUM_WITHDRAWAL = 100_000_00


def rebate_settings() -> RebateSettings:
    """The settings row, created with the defaults (10%, 15 days, ¥10) on first use."""
    row = db.session.scalar(select(RebateSettings).order_by(RebateSettings.id).limit(1))
    if row is None:
        row = RebateSettings(referral_share=10, holding_days=15, minimum_withdrawal=1000)
        db.session.add(row)
        db.session.flush()
    return row


def update_rebate_settings(
    actor, referral_share: int, holding_days: int, minimum_withdrawal: int
) -> RebateSettings:
    """Change the rules for what is credited and withdrawn from now on."""
    errors = []
    if not 0 <= referral_share <= 100:
        errors.append(("referral_share", _("The referral share must be between 0 and 100%.")))
    if not 0 <= holding_days <= MAX_HOLDING_DAYS:
        errors.append(("holding_days", _("Holding days must be between 0 and 365.")))
    if not 1 <= minimum_withdrawal <= MAX_MINIMUM_WITHDRAWAL:
        errors.append(
            ("minimum_withdrawal", _("The minimum withdrawal must be between ¥0.01 and ¥100,000."))
        )
    if errors:
        raise ValidationFailed(errors)
    row = rebate_settings()
    row.referral_share = referral_share
    row.holding_days = holding_days
    row.minimum_withdrawal = minimum_withdrawal
    row.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    return row
