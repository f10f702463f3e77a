"""`flask billing ...` commands."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from community.billing.models import ReminderSent
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from tests.conftest import grant_period


def test_grant_status_and_revoke(runner, free_user):
    result = runner.invoke(
        args=[
            "billing",
            "grant",
            free_user.email,
            "--tier",
            "member",
            "--days",
            "30",
            "--reason",
            "社群活动",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["billing", "status", free_user.email, "--json"])
    report = json.loads(result.output)
    assert set(report) == {"email", "tier", "active_until", "auto_renew", "periods", "payments"}
    assert report["payments"] == []
    assert (report["email"], report["tier"], report["auto_renew"]) == (
        free_user.email,
        "member",
        False,
    )
    (period,) = report["periods"]
    assert set(period) == {"tier", "start", "end", "source", "payment_id"}
    assert (period["tier"], period["source"], period["payment_id"]) == ("member", "comp", None)
    assert report["active_until"] == period["end"]

    result = runner.invoke(args=["billing", "revoke-comp", free_user.email, "--reason", "撤回"])
    assert result.exit_code == 0, result.output
    report = json.loads(runner.invoke(args=["billing", "status", free_user.email, "--json"]).output)
    assert report["tier"] == "free" and report["periods"] == []


def test_grant_by_an_operator_records_them(runner, free_user, operator, member):
    result = runner.invoke(
        args=[
            "billing",
            "grant",
            free_user.email,
            "--tier",
            "pro",
            "--days",
            "7",
            "--reason",
            "试用",
            "--by",
            operator.email,
        ]
    )
    assert result.exit_code == 0, result.output
    period = db.session.scalar(
        select(MembershipPeriod).where(MembershipPeriod.user_id == free_user.id)
    )
    assert (period.granted_by_id, period.reason) == (operator.id, "试用")
    result = runner.invoke(
        args=[
            "billing",
            "grant",
            free_user.email,
            "--tier",
            "pro",
            "--days",
            "7",
            "--reason",
            "x",
            "--by",
            member.email,
        ]
    )
    assert result.exit_code != 0 and "not an operator" in result.output


def test_grant_refuses_zero_or_negative_days(runner, free_user):
    for days in ("0", "-3"):
        result = runner.invoke(
            args=[
                "billing",
                "grant",
                free_user.email,
                "--tier",
                "member",
                "--days",
                days,
                "--reason",
                "x",
            ]
        )
        assert result.exit_code != 0 and "days" in result.output
    assert db.session.scalar(select(func.count(MembershipPeriod.id))) == 0


def test_unknown_email_fails_clearly(runner, app):
    result = runner.invoke(args=["billing", "status", "nobody@example.com", "--json"])
    assert result.exit_code != 0 and "nobody@example.com" in result.output


def test_reminders_go_once_per_threshold_however_often_the_job_runs(runner, make_user, outbox):
    soon = make_user(email="soon@example.com")
    grant_period(soon, "member", 6, start=utcnow() - timedelta(days=1))  # ends in 5 days
    later = make_user(email="later@example.com")
    grant_period(later, "member", 120)
    db.session.commit()

    for _ in range(3):
        assert runner.invoke(args=["billing", "send-reminders"]).exit_code == 0
    messages = outbox()
    assert [m["To"] for m in messages] == ["soon@example.com"]
    assert "5" in messages[0]["Subject"]  # the days truly left, not the 7-day threshold

    with time_machine.travel(utcnow() + timedelta(days=4, hours=12)):
        runner.invoke(args=["billing", "send-reminders"])
        runner.invoke(args=["billing", "send-reminders"])
    assert [m["To"] for m in outbox()] == ["soon@example.com", "soon@example.com"]
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 2
    assert sorted(db.session.scalars(select(ReminderSent.days_before))) == [1, 7]


def test_settings_command(runner, app):
    assert (
        runner.invoke(
            args=["billing", "settings", "--discount", "15", "--grace-days", "3"]
        ).exit_code
        == 0
    )
    result = runner.invoke(args=["billing", "settings", "--discount", "-1", "--grace-days", "3"])
    assert result.exit_code != 0


def test_demo_seed_gives_the_billing_pages_payments(runner, app):
    from community.billing.models import Payment

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    rows = db.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert len(rows) >= 3 and {p.status for p in rows} == {"paid"}
    assert {p.kind for p in rows} >= {"new", "renewal"}
    report = json.loads(
        runner.invoke(args=["billing", "status", "member2@example.com", "--json"]).output
    )
    assert [p["source"] for p in report["periods"]] == ["payment", "payment"]


def test_status_lists_payments_with_amounts_in_fen_and_refunds(runner, make_user, operator):
    from community.billing import purchases, refunds
    from community.clock import utcnow
    from community.extensions import db
    from community.membership.tiers import tier_by_slug

    user = make_user(email="payer@example.com")
    now = utcnow()
    offer = purchases.quote(user, tier_by_slug("member"), now)
    payment = purchases.start_purchase(
        user, "member", offer.kind, offer.amount, "pass", "offline", now
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, now)
    refunds.record_refund(payment, 5000, now, actor=operator, reason="部分退款")
    pending = purchases.start_purchase(
        user,
        "pro",
        "upgrade",
        purchases.quote(user, tier_by_slug("pro"), now).amount,
        "pass",
        "offline",
        now,
    )
    db.session.commit()

    report = json.loads(runner.invoke(args=["billing", "status", user.email, "--json"]).output)
    assert report["payments"] == [
        {
            "id": payment.id,
            "provider": "offline",
            "kind": "new",
            "tier": "member",
            "amount": 19900,
            "from_balance": 0,
            "currency": "CNY",
            "refunded": 5000,
            "status": "partially_refunded",
            "created": payment.created_at.isoformat(),
        },
        {
            "id": pending.id,
            "provider": "offline",
            "kind": "upgrade",
            "tier": "pro",
            "amount": pending.amount,
            "from_balance": 0,
            "currency": "CNY",
            "refunded": 0,
            "status": "pending",
            "created": pending.created_at.isoformat(),
        },
    ]
    text = runner.invoke(args=["billing", "status", user.email]).output
    assert f"payment {payment.id}: new member 19900 CNY partially_refunded, refunded 5000" in text
    refunds.record_refund(payment, 14900, utcnow(), actor=operator, reason="全部退款")
    db.session.commit()
    report = json.loads(runner.invoke(args=["billing", "status", user.email, "--json"]).output)
    assert (report["payments"][0]["status"], report["payments"][0]["refunded"]) == (
        "refunded",
        19900,
    )
