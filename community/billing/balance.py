"""Dues paid from a balance another domain keeps (rebates registers it here).

Billing knows only what this hook offers: how much a member may spend now, holding that part
of a payment when checkout starts (refused when it is no longer there), and following the
payment afterwards (spent once paid, released if it fails, returned as it is refunded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "dues_balance"


class DuesBalance(Protocol):
    def spendable(self, user_id: int, moment: datetime) -> int:
        """Fen the member may pay dues with now."""

    def hold(self, payment, moment: datetime) -> None:
        """Take `payment.balance_amount` from the member's balance, atomically, or raise
        ValidationFailed when they no longer have it."""

    def follow(self, payment, moment: datetime) -> None:
        """Make the balance match the payment's state: spent, released or (partly) returned."""


def register_dues_balance(app: Flask, balance: DuesBalance) -> None:
    app.extensions[EXTENSION] = balance


def dues_balance() -> DuesBalance | None:
    return current_app.extensions.get(EXTENSION)


def spendable(user_id: int, moment: datetime) -> int:
    """What the member can pay from their balance now; 0 where no balance is registered."""
    balance = dues_balance()
    return balance.spendable(user_id, moment) if balance is not None else 0


def follow(payment, moment: datetime) -> None:
    """Tell the balance the payment changed; only payments with a balance part concern it."""
    balance = dues_balance()
    if balance is not None and payment.balance_amount:
        balance.follow(payment, moment)
