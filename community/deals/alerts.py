"""Keyword alerts: members save keywords (with an optional platform and highest price), and each
deal that goes live is matched against them once, telling each member at most once per deal.

`send_alerts` finds deals by time alone: every deal live now that no run has looked at yet
(published now, or its scheduled start reached). A deal is looked at once, recorded in
`deal_alert_scans`; a hit is recorded once per member and deal (a unique key), so the command
can run every minute, twice at once, or again after a crash, and nobody hears twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.clock import utcnow
from community.database import insert_unless_present
from community.deals.member_models import DELIVERIES, DealAlert, DealAlertHit, DealAlertScan
from community.deals.models import PLATFORMS, Deal
from community.deals.services import live_at
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.mail import send_email
from community.membership.entitlements import is_member
from community.numbers import parse_yuan
from community.qa.markdown import clean_line, has_control_characters
from community.qa.models import Notification
from community.qa.services.notifications import notify_about, register_kind
from community.search.analysis import fold_text
from community.site_links import site_path, site_url

log = logging.getLogger(__name__)

MAX_ALERTS = 20
MAX_KEYWORDS = 100
KIND = "deal_alert"
SCAN_BATCH = 500

register_kind(KIND, _l("A deal matching your alert is live"))


def require_member(actor) -> None:
    if actor is None or not is_member(actor):
        raise NotAllowed(str(_l("Deal alerts are for members.")))


def keyword_terms(keywords: str) -> list[str]:
    """The folded words an alert needs, all of them (繁/简 and case do not matter)."""
    return [word for word in fold_text(keywords).split() if word]


def save_alert(member, keywords, platform, max_price, delivery) -> DealAlert:
    require_member(member)
    errors = []
    keywords = clean_line(keywords)
    if not keywords:
        errors.append(("keywords", _l("Give at least one keyword.")))
    elif len(keywords) > MAX_KEYWORDS or has_control_characters(keywords):
        errors.append(("keywords", _l("Keep it under %(max)d characters.", max=MAX_KEYWORDS)))
    platform = platform or None
    if platform is not None and platform not in PLATFORMS:
        errors.append(("platform", _l("Choose a platform from the list.")))
    price = None
    if (max_price or "").strip():
        price = parse_yuan(max_price)
        if price is None:
            errors.append(("max_price", _l("The price is not an amount in yuan (like 189.00).")))
    if delivery not in DELIVERIES:
        errors.append(("delivery", _l("Choose how you want to hear of it.")))
    count = db.session.scalar(
        select(func.count(DealAlert.id)).where(DealAlert.user_id == member.id)
    )
    if count >= MAX_ALERTS:
        errors.append((None, _l("You have %(count)d alerts; remove one first.", count=count)))
    if errors:
        raise ValidationFailed([(name, str(message)) for name, message in errors])
    alert = DealAlert(
        user_id=member.id,
        keywords=keywords,
        platform=platform,
        max_price=price,
        delivery=delivery,
    )
    db.session.add(alert)
    db.session.flush()
    return alert


def alerts_of(member) -> list[DealAlert]:
    return list(
        db.session.scalars(
            select(DealAlert).where(DealAlert.user_id == member.id).order_by(DealAlert.id)
        )
    )


def alert_of(member, alert_id) -> DealAlert | None:
    """The member's own alert with this id (another member's is as good as missing)."""
    alert = db.session.get(DealAlert, alert_id) if alert_id else None
    return alert if alert is not None and alert.user_id == member.id else None


def delete_alert(member, alert: DealAlert) -> None:
    if alert.user_id != member.id:
        raise NotAllowed(str(_l("That alert is not yours.")))
    db.session.execute(delete(DealAlert).where(DealAlert.id == alert.id))


def searchable_text(deal: Deal) -> str:
    return fold_text(" ".join([deal.title, deal.category, *deal.tag_names]))


def matches(alert: DealAlert, deal: Deal, text: str | None = None) -> bool:
    """Whether `deal` is what `alert` asks for: every keyword, its platform, its price."""
    if alert.platform and deal.platform != alert.platform:
        return False
    if alert.max_price is not None and deal.price > alert.max_price:
        return False
    text = searchable_text(deal) if text is None else text
    return all(term in text for term in keyword_terms(alert.keywords))


@dataclass
class Outcome:
    deals: int = 0
    hits: int = 0
    mails: int = 0


def unscanned_live_deals(moment: datetime, limit: int) -> list[Deal]:
    scanned = select(DealAlertScan.deal_id).where(DealAlertScan.deal_id == Deal.id)
    return list(
        db.session.scalars(
            select(Deal)
            .options(selectinload(Deal.tags))
            .where(live_at(moment), ~scanned.exists())
            .order_by(Deal.id)
            .limit(limit)
        )
    )


def member_alerts() -> dict[int, list[DealAlert]]:
    """Every alert of every member still entitled to deals, by member."""
    by_member: dict[int, list[DealAlert]] = {}
    for alert in db.session.scalars(select(DealAlert).order_by(DealAlert.id)):
        by_member.setdefault(alert.user_id, []).append(alert)
    members = db.session.scalars(select(User).where(User.id.in_(list(by_member))))
    entitled = {user.id for user in members if is_member(user)}
    return {user_id: alerts for user_id, alerts in by_member.items() if user_id in entitled}


def record_hit(user_id: int, deal: Deal, alert: DealAlert, moment: datetime) -> bool:
    """The hit and its notification, unless this member has heard of this deal already."""
    inserted = insert_unless_present(
        db.session,
        DealAlertHit,
        {"user_id": user_id, "deal_id": deal.id, "alert_id": alert.id, "created_at": moment},
        ["user_id", "deal_id"],
    )
    if not inserted:
        return False
    notification = notify_about(user_id, KIND, deal.title, site_path("deals.show", deal_id=deal.id))
    notification.created_at = moment
    if alert.delivery == "none":
        notification.emailed_at = moment
    db.session.flush()
    db.session.execute(
        update(DealAlertHit)
        .where(DealAlertHit.user_id == user_id, DealAlertHit.deal_id == deal.id)
        .values(notification_id=notification.id)
    )
    return True


def scan(moment: datetime) -> Outcome:
    """Match every live deal not looked at yet against members' alerts; commits per batch."""
    outcome = Outcome()
    alerts = member_alerts()
    while deals := unscanned_live_deals(moment, SCAN_BATCH):
        for deal in deals:
            text = searchable_text(deal)
            for user_id, own in alerts.items():
                alert = next((alert for alert in own if matches(alert, deal, text)), None)
                if alert is not None and record_hit(user_id, deal, alert, moment):
                    outcome.hits += 1
            insert_unless_present(
                db.session, DealAlertScan, {"deal_id": deal.id, "scanned_at": moment}, ["deal_id"]
            )
        outcome.deals += len(deals)
        db.session.commit()
    return outcome


def mail_now(moment: datetime) -> int:
    """Mail each alert whose member asked for mail at once: claimed (one UPDATE that must find
    it unmailed) and committed before it is sent, so no alert is mailed twice."""
    waiting = db.session.execute(
        select(Notification.id, DealAlertHit.deal_id, DealAlertHit.user_id)
        .join(DealAlertHit, DealAlertHit.notification_id == Notification.id)
        .join(DealAlert, DealAlert.id == DealAlertHit.alert_id)
        .where(Notification.emailed_at.is_(None), DealAlert.delivery == "now")
        .order_by(Notification.id)
    ).all()
    sent = 0
    for notification_id, deal_id, user_id in waiting:
        claimed = db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
            .values(emailed_at=moment)
        )
        db.session.commit()
        user = db.session.get(User, user_id)
        deal = db.session.get(Deal, deal_id)
        if claimed.rowcount != 1 or deal is None or not is_member(user):
            continue
        send_email(
            user.email,
            _l("Deal alert: %(title)s", title=deal.title),
            "deal_alert",
            locale=user.locale,
            user=user,
            deal=deal,
            link=deal_link(deal),
            settings_link=site_url("deal_alerts.index"),
        )
        sent += 1
    return sent


def deal_link(deal: Deal) -> str:
    return site_url("deals.show", deal_id=deal.id)


def send_alerts(moment: datetime | None = None) -> Outcome:
    """One run of the alert job: match new live deals, then mail the alerts due now."""
    moment = moment or utcnow()
    outcome = scan(moment)
    outcome.mails = mail_now(moment)
    log.info(
        "deal alerts: %d deal(s) looked at, %d member(s) told, %d mail(s) sent",
        outcome.deals,
        outcome.hits,
        outcome.mails,
    )
    return outcome
