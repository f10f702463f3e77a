"""Member billing pages: pricing, checkout, the offline test checkout, success, billing, refunds,
and the Stripe webhook."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.forms import ConfirmForm
from community.billing import balance as dues_balance
from community.billing import purchases, refunds, stripe_api, subscriptions, webhooks
from community.billing.forms import CheckoutForm
from community.billing.labels import template_labels
from community.billing.models import Payment
from community.billing.providers import (
    BALANCE,
    OFFLINE,
    STRIPE,
    PaymentsClosed,
    ProviderError,
    current_provider,
    offline_payments_allowed,
    payments_open,
)
from community.billing.subscriptions import profile_to_read
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import csrf, db
from community.membership.entitlements import standing_at
from community.membership.tiers import tier_by_slug, tier_name, tiers_for_sale
from community.metrics import count_webhook
from community.numbers import MAX_FEN, parse_id, parse_int, parse_yuan
from community.security import login_required_view, safe_next_url
from community.site_links import site_url
from community.templating import money

log = logging.getLogger(__name__)

bp = Blueprint("billing", __name__)
bp.app_context_processor(template_labels)


def provider_down() -> str:
    return _("The payment service cannot be reached right now. Please try again later.")


def checkout_closed() -> str:
    return _(
        "Checkout is closed: this site does not take payments yet. "
        "Nothing was charged. Please try again later."
    )


def open_provider():
    """The provider for this request; a calm 503 when the site takes no payments."""
    try:
        return current_provider()
    except PaymentsClosed:
        abort(503, description=checkout_closed())


def offers_for(user, moment) -> dict:
    """tier slug -> Quote, or the reason it cannot be bought now."""
    offers = {}
    for tier in tiers_for_sale():
        if not tier.is_paid:
            continue
        try:
            offers[tier.slug] = purchases.quote(user, tier, moment)
        except ValidationFailed as refusal:
            offers[tier.slug] = str(refusal.errors[0][1])
    return offers


@bp.route("/pricing")
def pricing():
    moment = utcnow()
    offers = offers_for(current_user, moment) if current_user.is_authenticated else {}
    return render_template(
        "billing/pricing.html",
        tiers=tiers_for_sale(),
        offers=offers,
        closed_message=None if payments_open() else checkout_closed(),
        back=return_path(request.args.get("next")),
    )


def return_path(value: str | None) -> str:
    """The local page to come back to after paying, or "" for none (anything else is dropped)."""
    return safe_next_url(value, "")


def own_payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.user_id != current_user.id:
        abort(404)
    return payment


@bp.route("/billing/checkout", methods=["GET", "POST"])
@login_required_view
def checkout():
    provider = open_provider()
    form = CheckoutForm()
    if request.method == "GET":
        form.back.data = request.args.get("next", "")
    back = return_path(form.back.data)
    form.back.data = back
    moment = utcnow()
    errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        try:
            amount = parse_int(form.amount.data, 0, MAX_FEN)
            from_balance = balance_part(form.balance.data)
            if from_balance and form.confirm.data != "yes":
                return confirm_balance_part(form, amount, from_balance, moment)
            payment = purchases.start_purchase(
                current_user,
                form.tier.data,
                form.kind.data,
                amount,
                form.mode.data,
                provider.name,
                moment,
                subscriptions=provider.supports_subscriptions,
                balance=from_balance,
            )
            db.session.commit()
        except ValidationFailed as failure:
            db.session.rollback()
            errors = [str(reason) for _field, reason in failure.errors]
            status = 400
        else:
            if payment.provider == BALANCE:
                purchases.fulfil_payment(payment, 0, payment.currency, moment)
                db.session.commit()
                return redirect(url_for("billing.success", payment=payment.id, next=back or None))
            return send_to_provider(provider, payment, back)
    elif request.method == "POST":
        errors = [_("The form has expired. Please try again.")]
        status = 400
    slug = form.tier.data or request.args.get("tier")
    if not slug:
        abort(404)
    try:
        offer = purchases.quote(current_user, purchases.sellable_tier(slug), moment)
    except ValidationFailed as failure:
        errors = errors or [str(reason) for _field, reason in failure.errors]
        return render_template("billing/checkout.html", offer=None, form=form, errors=errors), 400
    form.tier.data, form.kind.data, form.amount.data = slug, offer.kind, str(offer.amount)
    form.confirm.data = ""
    return render_template(
        "billing/checkout.html",
        offer=offer,
        form=form,
        errors=errors,
        subscriptions=provider.supports_subscriptions and offer.allows_subscription,
        spendable=min(dues_balance.spendable(current_user.id, moment), offer.amount),
    ), status


def balance_part(typed: str | None) -> int:
    """Fen to pay from the member's balance, as typed on the checkout form (empty: none)."""
    if not (typed or "").strip():
        return 0
    fen = parse_yuan(typed)
    if fen is None:
        raise ValidationFailed([("balance", _("Enter an amount in yuan, like 99.50."))])
    return fen


def confirm_balance_part(form, amount: int | None, from_balance: int, moment):
    """The page that shows how the price is split before any balance is spent."""
    offer = purchases.quote(current_user, purchases.sellable_tier(form.tier.data), moment)
    if amount != offer.amount:
        raise ValidationFailed(
            [("amount", _("The price has changed. Please review the new price and confirm again."))]
        )
    if from_balance > offer.amount:
        raise ValidationFailed(
            [("balance", _("Pay at most the price from your balance, and no less than nothing."))]
        )
    spendable = dues_balance.spendable(current_user.id, moment)
    if from_balance > spendable:
        raise ValidationFailed(
            [
                (
                    "balance",
                    _(
                        "You can pay at most %(amount)s from your balance now.",
                        amount=money(spendable, offer.currency),
                    ),
                )
            ]
        )
    form.confirm.data = "yes"
    return render_template(
        "billing/balance_confirm.html",
        offer=offer,
        form=form,
        from_balance=from_balance,
        rest=offer.amount - from_balance,
    )


def send_to_provider(provider, payment: Payment, back: str = ""):
    """Open the provider's checkout for a committed pending payment (its id travels along, and
    `back`, the page to return to once paid)."""
    try:
        started = provider.start_checkout(payment, profile_to_read(payment.user_id), back)
    except ProviderError:
        log.exception("could not start checkout for payment %s", payment.id)
        purchases.fail_payment(payment, "checkout could not start")
        db.session.commit()
        flash(provider_down(), "error")
        return redirect(url_for("billing.pricing", next=back or None))
    payment.provider_session_id = started.session_id
    db.session.commit()
    return redirect(started.url, code=303)


def offline_payment(payment_id: int) -> Payment:
    payment = own_payment(payment_id)
    if payment.provider != OFFLINE or not offline_payments_allowed():
        abort(404)
    return payment


@bp.route("/billing/offline/<int:payment_id>")
@login_required_view
def offline_checkout(payment_id: int):
    payment = offline_payment(payment_id)
    back = return_path(request.args.get("next"))
    if payment.status != purchases.PENDING:
        return redirect(url_for("billing.success", payment=payment.id, next=back or None))
    return render_template(
        "billing/offline_checkout.html", payment=payment, form=ConfirmForm(), back=back
    )


@bp.route("/billing/offline/<int:payment_id>/<any(complete, fail):outcome>", methods=["POST"])
@login_required_view
def offline_outcome(payment_id: int, outcome: str):
    payment = offline_payment(payment_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    back = return_path(request.form.get("back")) or None
    if outcome == "complete":
        purchases.fulfil_payment(payment, payment.provider_amount, payment.currency, utcnow())
        db.session.commit()
        return redirect(url_for("billing.success", payment=payment.id, next=back))
    purchases.fail_payment(payment, "test payment failed on the offline checkout page")
    db.session.commit()
    flash(_("The test payment failed. Nothing was charged and nothing changed."), "error")
    return redirect(url_for("billing.pricing", next=back))


@bp.route("/billing/success")
@login_required_view
def success():
    payment = None
    if "payment" in request.args:
        payment_id = parse_id(request.args["payment"])
        payment = own_payment(payment_id) if payment_id else None
    elif request.args.get("session_id"):
        payment = webhooks.stripe_payment(provider_session_id=request.args["session_id"])
        if payment is None or payment.user_id != current_user.id:
            abort(404)
    if payment is None:
        abort(404)
    current = standing_at(current_user, utcnow())
    return render_template(
        "billing/success.html",
        payment=payment,
        standing=current,
        back=return_path(request.args.get("next")),
        invite_link=site_url("accounts.invite", code=current_user.invite_code),
    )


@bp.route("/billing")
@login_required_view
def billing_page():
    moment = utcnow()
    # Checkouts never finished stay off the member's list (operators still see them).
    history = [p for p in purchases.payments_of(current_user) if p.status != purchases.PENDING]
    refundable = {
        payment.id
        for payment in history
        if payment.status == purchases.PAID
        and refunds.member_refund_refusal(current_user, payment, moment) is None
    }
    profile = profile_to_read(current_user.id)
    lower_tiers = []
    if profile.auto_renew and profile.subscription_tier is not None:
        rank = profile.subscription_tier.rank
        lower_tiers = [t for t in tiers_for_sale() if t.is_paid and t.rank < rank]
    return render_template(
        "billing/billing.html",
        standing=standing_at(current_user, moment),
        profile=profile,
        lower_tiers=lower_tiers,
        payments=history,
        refundable=refundable,
        offers=offers_for(current_user, moment),
        form=ConfirmForm(),
    )


@bp.route("/billing/payments/<int:payment_id>/receipt")
@login_required_view
def receipt(payment_id: int):
    payment = db.session.get(Payment, payment_id)
    if payment is None or (payment.user_id != current_user.id and not current_user.is_operator):
        abort(404)
    return render_template("billing/receipt.html", payment=payment)


@bp.route("/billing/downgrade", methods=["POST"])
@login_required_view
def schedule_downgrade():
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    tier = tier_by_slug(request.form.get("tier", ""))
    try:
        profile = subscriptions.schedule_downgrade(current_user, tier, utcnow())
        open_provider().renew_subscription_on(profile, tier)
    except ValidationFailed as failure:
        db.session.rollback()
        abort(400, description=str(failure.errors[0][1]))
    except ProviderError:
        db.session.rollback()
        log.exception("could not change the subscription of user %s", current_user.id)
        abort(503, description=provider_down())
    db.session.commit()
    flash(_("From your next renewal you will be on %(tier)s.", tier=tier_name(tier)), "success")
    return redirect(url_for("billing.billing_page"))


@bp.route("/billing/portal", methods=["POST"])
@login_required_view
def portal():
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    profile = profile_to_read(current_user.id)
    try:
        url = open_provider().portal_url(profile, url_for("billing.billing_page", _external=True))
    except ProviderError:
        log.exception("could not open the customer portal for user %s", current_user.id)
        abort(503, description=provider_down())
    if not url:
        abort(404)
    return redirect(url, code=303)


@bp.route("/billing/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    payload = request.get_data()
    try:
        event = stripe_api.verified_event(payload, request.headers.get("Stripe-Signature"))
    except stripe_api.BadSignature as error:
        log.warning("rejected a Stripe webhook: %s", error)
        count_webhook(STRIPE, "bad_signature")
        return jsonify(error="invalid signature"), 400
    # The event is kept whatever happens next; handling is a transaction of its own.
    problem = webhooks.malformed(event)
    row = webhooks.store_event(STRIPE, event, payload.decode("utf-8"))
    db.session.commit()
    if problem:
        count_webhook(STRIPE, "malformed")
        return jsonify(error="malformed event", reason=problem, event=row.event_id), 400
    row_id = row.id
    try:
        status = webhooks.process_event(row_id)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        if isinstance(error, webhooks.NotYetKnown):
            log.info("Stripe event %s must wait: %s", event["id"], error)
        else:
            current_app.logger.exception("handling Stripe event %s failed", event["id"])
        webhooks.record_failure(row_id, error)
        db.session.commit()
        count_webhook(STRIPE, "failed")
        return jsonify(error="handling failed", event=event["id"]), 500
    count_webhook(STRIPE, status)
    return jsonify(received=event["id"], status=status)
