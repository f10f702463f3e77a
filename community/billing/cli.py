"""`flask billing ...`: comps, status, reminders, event replay, tier texts, the Stripe catalog."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from community.accounts.cli import user_or_fail
from community.billing import purchases, tasks, webhooks
from community.billing.models import PaymentEvent
from community.billing.settings import update_billing_settings
from community.billing.subscriptions import profile_to_read
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership import comps
from community.membership.entitlements import standing_at
from community.membership.models import MembershipPeriod, PeriodSource
from community.membership.tiers import set_tier_texts, tier_by_slug, tiers_for_sale
from community.numbers import MAX_ID

billing_cli = AppGroup("billing", help="Memberships, payments and the payment provider.")


def refuse(failure: ValidationFailed) -> None:
    db.session.rollback()
    raise click.ClickException("; ".join(f"{f or 'input'}: {r}" for f, r in failure.errors))


def operator_or_fail(email: str):
    user = user_or_fail(email)
    if not user.is_operator:
        raise click.ClickException(f"{email} is not an operator")
    return user


def iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@billing_cli.command("grant")
@click.argument("email")
@click.option("--tier", "tier_slug", required=True, help="Tier slug, e.g. member or pro.")
@click.option("--days", required=True, type=int, help="Length of the complimentary period.")
@click.option("--reason", required=True, help="Why (kept in the membership history).")
@click.option("--by", "by_email", help="Email of the operator granting it (kept with it).")
def grant(email: str, tier_slug: str, days: int, reason: str, by_email: str | None):
    """Grant EMAIL a complimentary period."""
    user = user_or_fail(email)
    actor = operator_or_fail(by_email) if by_email else None
    try:
        period = comps.grant_comp(user, tier_by_slug(tier_slug), days, reason, actor, utcnow())
    except ValidationFailed as failure:
        refuse(failure)
    db.session.commit()
    click.echo(
        f"granted {period.tier.slug} to {user.email}: "
        f"{period.starts_at:%Y-%m-%d} – {period.ends_at:%Y-%m-%d} (period {period.id})"
    )


@billing_cli.command("revoke-comp")
@click.argument("email")
@click.option("--reason", required=True, help="Why (kept in the membership history).")
@click.option(
    "--period",
    "period_id",
    type=click.IntRange(1, MAX_ID),
    help="Which comp; default: the latest running.",
)
@click.option("--by", "by_email", help="Email of the operator revoking it.")
def revoke_comp(email: str, reason: str, period_id: int | None, by_email: str | None):
    """Revoke a complimentary period of EMAIL."""
    user = user_or_fail(email)
    actor = operator_or_fail(by_email) if by_email else None
    query = select(MembershipPeriod).where(
        MembershipPeriod.user_id == user.id,
        MembershipPeriod.source == PeriodSource.COMP,
        MembershipPeriod.revoked_at.is_(None),
        MembershipPeriod.ends_at > utcnow(),
    )
    if period_id is not None:
        query = query.where(MembershipPeriod.id == period_id)
    period = db.session.scalar(query.order_by(MembershipPeriod.ends_at.desc()).limit(1))
    try:
        comps.revoke_comp(period, reason, actor, utcnow())
    except ValidationFailed as failure:
        refuse(failure)
    db.session.commit()
    click.echo(f"revoked period {period.id} of {user.email}")


@billing_cli.command("status")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status(email: str, as_json: bool):
    """Show the tier, end date, auto-renew, periods and payments of EMAIL (amounts in fen)."""
    user = user_or_fail(email)
    current = standing_at(user, utcnow())
    profile = profile_to_read(user.id)
    periods = db.session.scalars(
        select(MembershipPeriod)
        .where(MembershipPeriod.user_id == user.id, MembershipPeriod.revoked_at.is_(None))
        .order_by(MembershipPeriod.starts_at, MembershipPeriod.id)
    )
    report = {
        "email": user.email,
        "tier": current.tier.slug,
        "active_until": iso(current.active_until),
        "auto_renew": profile.auto_renew,
        "periods": [
            {
                "tier": period.tier.slug,
                "start": iso(period.starts_at),
                "end": iso(period.ends_at),
                "source": period.source,
                "payment_id": period.payment_id,
            }
            for period in periods
        ],
        "payments": [
            {
                "id": payment.id,
                "provider": payment.provider,
                "kind": payment.kind,
                "tier": payment.tier.slug,
                "amount": payment.amount,
                "from_balance": payment.balance_amount,
                "currency": payment.currency,
                "refunded": payment.refunded_amount,
                "status": payment.state,
                "created": iso(payment.created_at),
            }
            for payment in reversed(purchases.payments_of(user))
        ],
    }
    db.session.commit()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(
        f"{report['email']}: {report['tier']} until {report['active_until'] or '-'}, "
        f"auto-renew {'on' if report['auto_renew'] else 'off'}"
    )
    for row in report["periods"]:
        click.echo(f"  {row['tier']:8} {row['start']} – {row['end']} {row['source']}")
    for row in report["payments"]:
        refunded = f", refunded {row['refunded']}" if row["refunded"] else ""
        click.echo(
            f"  payment {row['id']}: {row['kind']} {row['tier']} {row['amount']} "
            f"{row['currency']} {row['status']}{refunded} ({row['provider']}, {row['created']})"
        )


@billing_cli.command("send-reminders")
def send_reminders():
    """Email members 30, 7 and 1 days before their end date (each reminder once)."""
    click.echo(f"sent {tasks.send_renewal_reminders()} reminder(s)")


@billing_cli.command("replay")
@click.argument("event_id")
def replay(event_id: str):
    """Run a stored payment event again (handlers change nothing twice)."""
    row = db.session.scalar(select(PaymentEvent).where(PaymentEvent.event_id == event_id))
    if row is None:
        raise click.ClickException(f"no stored event {event_id}")
    row_id = row.id
    try:
        outcome = webhooks.process_event(row_id, again=True)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        webhooks.record_failure(row_id, error)
        db.session.commit()
        raise click.ClickException(f"event {event_id} failed again: {error}") from error
    click.echo(f"event {event_id}: {outcome}")


@billing_cli.command("settings")
@click.option("--discount", "discount", type=int, required=True, help="Renewal discount, %.")
@click.option("--grace-days", "grace_days", type=int, required=True, help="Grace days.")
def settings(discount: int, grace_days: int):
    """Set the renewal discount and the grace days after a failed auto-renewal."""
    try:
        update_billing_settings(None, discount, grace_days)
    except ValidationFailed as failure:
        refuse(failure)
    db.session.commit()
    click.echo(f"renewal discount {discount}%, grace {grace_days} days")


@billing_cli.command("tier")
@click.argument("slug")
@click.option("--name", help="Name in Chinese (the site's first language).")
@click.option("--name-en", help="Name in English; empty to show the Chinese one.")
@click.option("--description", help="Description in Chinese.")
@click.option("--description-en", help="Description in English; empty for the Chinese one.")
def tier_texts(slug: str, **texts: str | None):
    """Show SLUG's name and description in each language, changing those given."""
    tier = tier_by_slug(slug)
    if tier is None:
        raise click.ClickException(f"no tier {slug}")
    try:
        set_tier_texts(tier, **texts)
    except ValidationFailed as failure:
        refuse(failure)
    db.session.commit()
    click.echo(f"{tier.slug}: {tier.name} / {tier.name_en or '-'}")
    click.echo(f"  zh: {tier.description}")
    click.echo(f"  en: {tier.description_en or '-'}")


@billing_cli.command("sync-stripe")
def sync_stripe():
    """Create or update Stripe Products and yearly Prices from the tier rows."""
    from flask import current_app

    from community.billing import stripe_api

    if not current_app.config.get("STRIPE_SECRET_KEY"):
        raise click.ClickException("STRIPE_SECRET_KEY is not set")
    for line in stripe_api.sync_catalog(tiers_for_sale()) or ["nothing to change"]:
        click.echo(line)
