"""`flask demo seed`: realistic Chinese demo accounts, memberships, payments and Q&A threads."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from community.accounts import services
from community.accounts.models import Role, User
from community.billing import purchases
from community.clock import utcnow
from community.deals.cli import seed_demo_deals
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.membership.tiers import seed_default_tiers, tier_by_slug
from community.qa.cli import import_file
from community.qa.unrendered import render_waiting
from community.search.indexer import rebuild_index

log = logging.getLogger(__name__)

DEMO_THREADS = Path(__file__).parent / "qa" / "demo_threads.jsonl"

demo_cli = AppGroup("demo", help="Demo content for a local site.")

DEMO_PASSWORD = "demo-community-2026"  # noqa: S105 - documented demo login

# (email, display name, role, tier or None, invited by)
DEMO_USERS = (
    ("admin@example.com", "站长老王", Role.ADMIN, "pro", None),
    ("operator@example.com", "运营小林", Role.OPERATOR, "member", None),
    ("pro@example.com", "陈医生", Role.MEMBER, "pro", None),
    ("member@example.com", "李晓萌", Role.MEMBER, "member", "pro@example.com"),
    ("member2@example.com", "张大伟", Role.MEMBER, "member", "member@example.com"),
    ("free@example.com", "路过的猫", Role.MEMBER, None, "member@example.com"),
)


def seed_accounts() -> int:
    """Create the demo accounts that are missing; return how many were created."""
    operator = None
    created = 0
    now = utcnow()
    for email, name, role, tier_slug, invited_by in DEMO_USERS:
        if services.find_by_email(email):
            continue
        inviter = services.find_by_email(invited_by) if invited_by else None
        user = services.register_user(
            email, name, DEMO_PASSWORD, role=role, inviter=inviter, locale="zh_CN"
        )
        user.email_verified_at = now
        if role == Role.ADMIN:
            operator = user
        if tier_slug and role == Role.MEMBER:
            pay_offline(user, tier_slug, now - timedelta(days=30))
        elif tier_slug:
            db.session.add(
                MembershipPeriod(
                    user_id=user.id,
                    tier_id=tier_by_slug(tier_slug).id,
                    starts_at=now - timedelta(days=30),
                    ends_at=now + timedelta(days=335),
                    source="comp",
                    granted_by_id=operator.id if operator else None,
                    reason="演示数据",
                )
            )
        created += 1
    db.session.flush()
    return created


def pay_offline(user: User, tier_slug: str, moment) -> None:
    """A completed offline payment for a year of `tier_slug`, as if bought at `moment`."""
    offer = purchases.quote(user, tier_by_slug(tier_slug), moment)
    payment = purchases.start_purchase(
        user, tier_slug, offer.kind, offer.amount, "pass", "offline", moment
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, moment)


def seed_payments() -> None:
    """A renewal for one demo member, so billing pages show more than one payment."""
    user = services.find_by_email("member2@example.com")
    if user is not None and len(purchases.payments_of(user)) == 1:
        pay_offline(user, "member", utcnow() - timedelta(days=2))


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when the site already has users.")
def seed(if_empty: bool):
    """Seed tiers and demo accounts (password: demo-community-2026); refused in production."""
    # The demo accounts sign in with a password printed in the README, admin@example.com included.
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "demo seed refused: it creates admin@example.com and other accounts with the "
            "published demo password, which must never exist on a production site "
            "(COMMUNITY_ENV=production). Create real accounts with `flask users create`."
        )
    if if_empty and db.session.scalar(select(func.count(User.id))):
        click.echo("site already has users; demo seed skipped")
        return
    seed_default_tiers()
    created = seed_accounts()
    seed_payments()
    db.session.commit()
    click.echo(f"demo seed: {created} accounts created (password {DEMO_PASSWORD})")
    report = import_file(DEMO_THREADS, partial=False, show_progress=False)
    if report.errors:
        raise click.ClickException(f"demo threads: {report.errors[0]}")
    click.echo(f"demo seed: {report.created} Q&A threads imported, {report.unchanged} present")
    render_waiting()
    deals = seed_demo_deals()
    if deals.errors:
        raise click.ClickException(f"demo deals: line {deals.errors[0][0]}: {deals.errors[0][1]}")
    db.session.commit()
    click.echo(f"demo seed: {deals.created} deals added, {deals.updated} brought up to date")
    count = rebuild_index()
    click.echo(f"demo seed: search index built with {count} questions")
