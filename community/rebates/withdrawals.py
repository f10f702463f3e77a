"""Withdrawals: a member asks for part of their withdrawable balance (frozen at once); an
operator approves and marks it paid with a payout reference, or rejects it with a reason
(the amount returns). Each step happens once: a request is checked and written under the
member's lock, and every operator step is a conditional update that must touch its row.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership.periods import lock_member
from community.rebates import ledger
from community.rebates.models import CONFIRMED, FROZEN, PAID_OUT, Withdrawal
from community.rebates.settings import rebate_settings
from community.templating import money

METHODS = ("alipay", "wechat", "bank")
REQUESTED, APPROVED, PAID, REJECTED = "requested", "approved", "paid", "rejected"


def clean_payee(method: str | None, account: str | None, account_name: str | None):
    errors = []
    method = (method or "").strip()
    account = " ".join((account or "").split())
    account_name = " ".join((account_name or "").split())
    if method not in METHODS:
        errors.append(("method", _("Choose how you want to be paid.")))
    if not 3 <= len(account) <= 100:
        errors.append(("account", _("Enter the account to pay (3 to 100 characters).")))
    if not 1 <= len(account_name) <= 40:
        errors.append(("account_name", _("Enter the account holder's real name.")))
    if errors:
        raise ValidationFailed(errors)
    return method, account, account_name


def check_amount(user_id: int, amount: int | None, moment: datetime) -> None:
    """Refuse an amount below the minimum or above what is withdrawable now."""
    minimum = rebate_settings().minimum_withdrawal
    withdrawable = ledger.balances(user_id, moment).withdrawable
    if amount is None or amount <= 0:
        raise ValidationFailed([("amount", _("Enter an amount in yuan, like 99.50."))])
    if amount < minimum:
        raise ValidationFailed(
            [("amount", _("The least you can withdraw is %(amount)s.", amount=money(minimum)))]
        )
    if amount > withdrawable:
        raise ValidationFailed(
            [
                (
                    "amount",
                    _(
                        "You can withdraw at most %(amount)s now.",
                        amount=money(max(withdrawable, 0)),
                    ),
                )
            ]
        )


def request_withdrawal(
    user, amount: int | None, method, account, account_name, moment: datetime
) -> Withdrawal:
    """Freeze `amount` of the member's withdrawable balance for a payout, atomically."""
    method, account, account_name = clean_payee(method, account, account_name)
    lock_member(user.id)
    check_amount(user.id, amount, moment)
    withdrawal = Withdrawal(
        user_id=user.id,
        amount=amount,
        method=method,
        account=account,
        account_name=account_name,
        requested_at=moment,
    )
    db.session.add(withdrawal)
    db.session.flush()
    ledger.write(
        ledger.spend(user.id, "withdrawal", amount, FROZEN, moment, withdrawal_id=withdrawal.id)
    )
    return withdrawal


def step(withdrawal: Withdrawal, source: tuple[str, ...], **values) -> None:
    """Move the withdrawal on from one of `source` statuses, once."""
    moved = db.session.execute(
        update(Withdrawal)
        .where(Withdrawal.id == withdrawal.id, Withdrawal.status.in_(source))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.refresh(withdrawal)
        raise ValidationFailed(
            [(None, _("This withdrawal was already handled; the page shows where it stands."))]
        )
    db.session.refresh(withdrawal)


def require_operator(actor) -> None:
    if actor is None or not actor.is_operator:
        raise NotAllowed(_("Operators only."))


def approve(actor, withdrawal: Withdrawal, moment: datetime) -> Withdrawal:
    require_operator(actor)
    step(withdrawal, (REQUESTED,), status=APPROVED, decided_at=moment, decided_by_id=actor.id)
    return withdrawal


def mark_paid(actor, withdrawal: Withdrawal, reference: str | None, moment: datetime):
    """The payout was sent: the frozen amount becomes paid, with the payout's reference."""
    require_operator(actor)
    reference = " ".join((reference or "").split())
    if not 1 <= len(reference) <= 100:
        raise ValidationFailed(
            [("reference", _("Enter the payout's reference (transfer number), at most 100."))]
        )
    step(
        withdrawal,
        (APPROVED,),
        status=PAID,
        paid_at=moment,
        paid_by_id=actor.id,
        payout_reference=reference,
    )
    ledger.write(
        ledger.move(
            withdrawal.user_id,
            "withdrawal",
            withdrawal.amount,
            FROZEN,
            PAID_OUT,
            moment,
            withdrawal_id=withdrawal.id,
            actor_id=actor.id,
            reason=reference,
        )
    )
    return withdrawal


def reject(actor, withdrawal: Withdrawal, reason: str | None, moment: datetime) -> Withdrawal:
    """Refuse a withdrawal not yet paid: the amount returns to the withdrawable balance."""
    require_operator(actor)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500:
        raise ValidationFailed([("reason", _("Say why, in at most 500 characters."))])
    step(
        withdrawal,
        (REQUESTED, APPROVED),
        status=REJECTED,
        decided_at=moment,
        decided_by_id=actor.id,
        reject_reason=reason,
    )
    ledger.write(
        ledger.move(
            withdrawal.user_id,
            "withdrawal",
            withdrawal.amount,
            FROZEN,
            CONFIRMED,
            moment,
            withdrawal_id=withdrawal.id,
            actor_id=actor.id,
            reason=reason,
        )
    )
    return withdrawal


def withdrawals_of(user_id: int) -> list[Withdrawal]:
    return list(
        db.session.scalars(
            select(Withdrawal)
            .where(Withdrawal.user_id == user_id)
            .order_by(Withdrawal.requested_at.desc(), Withdrawal.id.desc())
        )
    )


def queue(statuses=(REQUESTED, APPROVED), limit: int = 200) -> list[Withdrawal]:
    return list(
        db.session.scalars(
            select(Withdrawal)
            .where(Withdrawal.status.in_(statuses))
            .order_by(Withdrawal.requested_at, Withdrawal.id)
            .limit(limit)
        )
    )


def spreadsheet_safe(value: str) -> str:
    """A cell Excel shows as text: a leading =, +, - or @ would make it a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def payout_csv(withdrawals: list[Withdrawal]) -> bytes:
    """Approved withdrawals as a payout batch: UTF-8 with a BOM, so Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "withdrawal_id",
            "email",
            "method",
            "account",
            "account_name",
            "amount_yuan",
            "requested_at",
        ]
    )
    for item in withdrawals:
        writer.writerow(
            [
                item.id,
                item.user.email,
                item.method,
                spreadsheet_safe(item.account),
                spreadsheet_safe(item.account_name),
                f"{item.amount // 100}.{item.amount % 100:02d}",
                item.requested_at.isoformat(timespec="seconds"),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
