"""Operator-set billing rules: renewal discount and grace days, kept in one row."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.billing.models import BillingSettings
from community.errors import ValidationFailed
from community.extensions import db

# Renewing within this many days before the end date earns the renewal discount.
RENEWAL_WINDOW_DAYS = 30


def billing_settings() -> BillingSettings:
    """The settings row, created with the configured defaults on first use."""
    row = db.session.scalar(select(BillingSettings).order_by(BillingSettings.id).limit(1))
    if row is None:
        row = BillingSettings(
            renewal_discount_percent=current_app.config["RENEWAL_DISCOUNT_PERCENT"],
            grace_days=current_app.config["GRACE_DAYS"],
        )
        db.session.add(row)
        db.session.flush()
    return row


def update_billing_settings(actor, discount_percent: int, grace_days: int) -> BillingSettings:
    errors = []
    if not 0 <= discount_percent <= 90:
        errors.append(("discount_percent", _("The renewal discount must be between 0 and 90%.")))
    if not 0 <= grace_days <= 60:
        errors.append(("grace_days", _("Grace days must be between 0 and 60.")))
    if errors:
        raise ValidationFailed(errors)
    row = billing_settings()
    row.renewal_discount_percent = discount_percent
    row.grace_days = grace_days
    row.updated_by_id = actor.id if actor else None
    db.session.flush()
    return row
