"""Renewal reminders 30, 7 and 1 days before a member's end date, each sent once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import force_locale, format_date, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.mail_choices import opted_out_ids, register_mail_kind, unsubscribe_url
from community.accounts.models import User
from community.billing.models import BillingProfile, ReminderSent
from community.extensions import db
from community.mail import send_email
from community.membership.entitlements import standing_at
from community.membership.models import MembershipPeriod, PeriodSource
from community.membership.periods import days_left
from community.site_links import site_url

log = logging.getLogger(__name__)

REMINDER_DAYS = (1, 7, 30)


def due_reminder(days_left: timedelta) -> int | None:
    """The smallest reminder threshold the remaining time falls under, if any."""
    for days in REMINDER_DAYS:
        if days_left <= timedelta(days=days):
            return days
    return None


def members_ending_within(moment: datetime, days: int) -> list[User]:
    horizon = moment + timedelta(days=days)
    user_ids = db.session.scalars(
        select(MembershipPeriod.user_id)
        .where(
            MembershipPeriod.revoked_at.is_(None),
            MembershipPeriod.source != PeriodSource.GRACE,
            MembershipPeriod.starts_at <= moment,
            MembershipPeriod.ends_at > moment,
            MembershipPeriod.ends_at <= horizon,
        )
        .distinct()
    )
    return list(db.session.scalars(select(User).where(User.id.in_(list(user_ids)))))


def claim_reminders(moment: datetime) -> list[tuple[User, datetime, int]]:
    """Record (and so claim) the reminders due now, each (user, end, threshold) only once ever;
    returns (user, end, days truly left): a 7-day reminder sent 5 days before says 5."""
    not_reminded = set(
        db.session.scalars(select(BillingProfile.user_id).where(BillingProfile.auto_renew))
    ) | opted_out_ids(MAIL_KIND)
    claimed = []
    for user in members_ending_within(moment, max(REMINDER_DAYS)):
        if user.id in not_reminded:
            continue
        current = standing_at(user, moment)
        if not current.is_member or current.active_until is None:
            continue
        days = due_reminder(current.active_until - moment)
        if days is None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(
                    ReminderSent(
                        user_id=user.id,
                        ends_at=current.active_until,
                        days_before=days,
                        sent_at=moment,
                    )
                )
        except IntegrityError:
            continue
        claimed.append((user, current.active_until, days_left(current.active_until, moment)))
    return claimed


def send_reminder(user: User, ends_at: datetime, days: int) -> None:
    with force_locale(user.locale or "zh_CN"):
        date = format_date(ends_at)
        subject = ngettext(
            "Your membership ends in %(num)d day", "Your membership ends in %(num)d days", days
        )
    send_email(
        user.email,
        subject,
        "renewal_reminder",
        locale=user.locale,
        unsubscribe=unsubscribe_url(user, MAIL_KIND),
        user=user,
        days=days,
        date=date,
        link=site_url("billing.pricing"),
    )


MAIL_KIND = "renewal_reminders"
register_mail_kind(MAIL_KIND, _l("Renewal reminders"))
