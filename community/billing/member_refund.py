"""The member's own 72-hour refund: a page of its own that says what the refund returns and
what ends, and the confirmation's POST that refunds. No script, no one-tap refund."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community.accounts.forms import ConfirmForm
from community.billing import refunds
from community.billing.models import Payment
from community.billing.providers import ProviderError
from community.billing.views import bp, provider_down
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.security import login_required_view
from community.templating import money

log = logging.getLogger(__name__)


def own_payment_or_404(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.user_id != current_user.id:
        abort(404)
    return payment


def periods_bought(payments: list[Payment]) -> list[MembershipPeriod]:
    """The unrevoked periods these payments bought (what a full refund ends)."""
    return list(
        db.session.scalars(
            select(MembershipPeriod)
            .where(
                MembershipPeriod.payment_id.in_([payment.id for payment in payments]),
                MembershipPeriod.revoked_at.is_(None),
            )
            .order_by(MembershipPeriod.starts_at)
        )
    )


@bp.route("/billing/payments/<int:payment_id>/refund")
@login_required_view
def confirm_refund(payment_id: int):
    """What the refund returns, what ends, and that it cannot be undone; then one button."""
    payment = own_payment_or_404(payment_id)
    moment = utcnow()
    refusal = refunds.member_refund_refusal(current_user, payment, moment)
    if refusal:
        abort(400, description=refusal)
    upgrades = refunds.dependent_upgrades(payment, moment)
    ending = periods_bought([payment, *upgrades])
    return render_template(
        "billing/refund_confirm.html",
        payment=payment,
        upgrades=upgrades,
        total=payment.refundable_amount + sum(u.refundable_amount for u in upgrades),
        ends=[period for period in ending if period.ends_at > moment],
        form=ConfirmForm(),
    )


@bp.route("/billing/payments/<int:payment_id>/refund", methods=["POST"])
@login_required_view
def refund(payment_id: int):
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    moment = utcnow()
    try:
        refunds.check_member_refund(current_user, payment, moment)
        made = refunds.refund_through_provider(
            payment, payment.refundable_amount, moment, actor=current_user, reason="member refund"
        )
    except ValidationFailed as failure:
        db.session.rollback()
        abort(400, description=str(failure.errors[0][1]))
    except ProviderError:
        db.session.rollback()
        log.exception("refund of payment %s failed at the provider", payment_id)
        abort(503, description=provider_down())
    db.session.commit()
    if len(made) > 1:
        total = money(sum(refund.amount for refund in made), payment.currency)
        flash(
            _(
                "Your payment and the upgrade bought on it were refunded (%(amount)s in all); "
                "the membership they bought has ended.",
                amount=total,
            ),
            "success",
        )
    else:
        flash(_("Your payment was refunded and the membership it bought has ended."), "success")
    return redirect(url_for("billing.billing_page"))
