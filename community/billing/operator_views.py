"""Operator pages for members: search, membership history, comps, refunds, tier changes."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from community.accounts.models import User
from community.billing import purchases, refunds
from community.billing.forms import (
    ChangeTierForm,
    CompForm,
    OperatorRefundForm,
    ReasonForm,
    SettingsForm,
    whole_number,
    yuan_to_fen,
)
from community.billing.models import Payment, PaymentEvent
from community.billing.providers import ProviderError
from community.billing.settings import billing_settings, update_billing_settings
from community.billing.subscriptions import profile_to_read
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership import comps
from community.membership.entitlements import standing_at
from community.membership.models import MembershipChange, MembershipPeriod
from community.membership.tiers import tier_by_slug, tier_name, tiers_for_sale
from community.security import operator_required
from community.templating import money

log = logging.getLogger(__name__)

bp = Blueprint("members", __name__, url_prefix="/operator/members")

SEARCH_LIMIT = 50


def paid_tier_choices() -> list[SelectChoice]:
    return [SelectChoice(tier.slug, tier_name(tier)) for tier in tiers_for_sale() if tier.is_paid]


@bp.route("")
@operator_required
def index():
    return render_index()


def render_index(status: int = 200, errors: list[str] | None = None, form=None):
    query = (request.args.get("q") or "").strip()[:100]
    users = []
    if query:
        # autoescape: "%" and "_" in the query are the characters themselves, not wildcards.
        users = list(
            db.session.scalars(
                select(User)
                .where(
                    or_(
                        User.email.icontains(query, autoescape=True),
                        User.name.icontains(query, autoescape=True),
                    )
                )
                .order_by(User.email)
                .limit(SEARCH_LIMIT)
            )
        )
    flagged = list(
        db.session.scalars(
            select(Payment)
            .where(Payment.status == purchases.FLAGGED)
            .order_by(Payment.id.desc())
            .limit(SEARCH_LIMIT)
        )
    )
    troubled_events = list(
        db.session.scalars(
            select(PaymentEvent)
            .where(PaymentEvent.status.in_(("flagged", "failed")))
            .order_by(PaymentEvent.id.desc())
            .limit(SEARCH_LIMIT)
        )
    )
    settings = billing_settings()
    form = form or SettingsForm(
        discount_percent=str(settings.renewal_discount_percent),
        grace_days=str(settings.grace_days),
    )
    page = render_template(
        "billing/operator/index.html",
        query=query,
        users=users,
        flagged=flagged,
        events=troubled_events,
        settings_form=form,
        errors=errors or [],
    )
    db.session.commit()
    return page, status


@bp.route("/settings", methods=["POST"])
@operator_required
def update_settings():
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            update_billing_settings(
                current_user,
                whole_number(form.discount_percent.data, "discount_percent"),
                whole_number(form.grace_days.data, "grace_days"),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            return render_index(400, [str(reason) for _field, reason in failure.errors], form)
        db.session.commit()
        flash(_("Billing settings saved."), "success")
        return redirect(url_for("members.index"))
    return render_index(400, [], form)


def member_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def render_member(user: User, status: int = 200, **forms):
    moment = utcnow()
    choices = paid_tier_choices()
    comp_form = forms.get("comp_form") or CompForm()
    comp_form.tier.choices = choices
    tier_form = forms.get("tier_form") or ChangeTierForm()
    tier_form.tier.choices = choices
    history = list(
        db.session.scalars(
            select(MembershipChange)
            .where(MembershipChange.user_id == user.id)
            .order_by(MembershipChange.created_at.desc(), MembershipChange.id.desc())
        )
    )
    all_periods = list(
        db.session.scalars(
            select(MembershipPeriod)
            .where(MembershipPeriod.user_id == user.id)
            .order_by(MembershipPeriod.starts_at.desc(), MembershipPeriod.id.desc())
        )
    )
    page = render_template(
        "billing/operator/member.html",
        member=user,
        standing=standing_at(user, moment),
        profile=profile_to_read(user.id),
        history=history,
        periods=all_periods,
        payments=purchases.payments_of(user),
        comp_form=comp_form,
        tier_form=tier_form,
        refund_form=forms.get("refund_form") or OperatorRefundForm(),
        refund_payment_id=forms.get("refund_payment_id"),
        reason_form=forms.get("reason_form") or ReasonForm(),
        errors=forms.get("errors", []),
        now=moment,
    )
    db.session.commit()
    return page, status


@bp.route("/<int:user_id>")
@operator_required
def show(user_id: int):
    return render_member(member_or_404(user_id))


def refused(user: User, failure: ValidationFailed, **forms):
    db.session.rollback()
    errors = [str(reason) for _field, reason in failure.errors]
    return render_member(user, 400, errors=errors, **forms)


def confirm_step(user: User, form, title: str, facts: list, consequence: str, extra=()):
    """The page an operator confirms an action that moves money or ends access on: what it
    does, that it cannot be undone, and the same form posted again with `confirm=yes`."""
    form.confirm.data = "yes"
    page = render_template(
        "billing/operator/confirm.html",
        member=user,
        form=form,
        title=title,
        facts=facts,
        consequences=[consequence, *extra],
    )
    db.session.commit()
    return page


def confirm_refund_step(user: User, payment: Payment, amount: int, form):
    upgrades = refunds.check_refund(payment, amount, utcnow())
    currency = payment.currency
    facts = [
        (
            _("Payment"),
            f"#{payment.id} · {tier_name(payment.tier)} · {money(payment.amount, currency)}",
        ),
        (_("Refund"), money(amount, currency)),
        (_("Reason"), form.reason.data.strip()),
    ]
    facts += [
        (_("Refunded with it"), f"#{upgrade.id} · {money(upgrade.refundable_amount, currency)}")
        for upgrade in upgrades
    ]
    if amount >= payment.refundable_amount:
        consequence = _("The membership time this payment bought ends at once.")
    else:
        consequence = _("The membership time this payment bought is shortened in proportion.")
    return confirm_step(user, form, _("Refund this payment?"), facts, consequence)


@bp.route("/<int:user_id>/comp", methods=["POST"])
@operator_required
def grant_comp(user_id: int):
    user = member_or_404(user_id)
    form = CompForm()
    form.tier.choices = paid_tier_choices()
    if not form.validate_on_submit():
        return render_member(user, 400, comp_form=form)
    try:
        days = whole_number(form.days.data, "days")
        comps.grant_comp(
            user, tier_by_slug(form.tier.data), days, form.reason.data, current_user, utcnow()
        )
    except ValidationFailed as failure:
        return refused(user, failure, comp_form=form)
    db.session.commit()
    flash(_("Complimentary period granted."), "success")
    return redirect(url_for("members.show", user_id=user.id))


@bp.route("/<int:user_id>/comps/<int:period_id>/revoke", methods=["POST"])
@operator_required
def revoke_comp(user_id: int, period_id: int):
    user = member_or_404(user_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_member(user, 400, reason_form=form)
    period = db.session.get(MembershipPeriod, period_id)
    if period is not None and period.user_id != user.id:
        period = None
    try:
        if form.confirm.data != "yes":
            comps.check_reason(form.reason.data)
            comps.check_revocable(period)
            return confirm_step(
                user,
                form,
                _("Revoke this complimentary period?"),
                [
                    (_("Tier"), tier_name(period.tier)),
                    (
                        _("Period"),
                        f"{format_date(period.starts_at)} – {format_date(period.ends_at)}",
                    ),
                    (_("Reason"), form.reason.data.strip()),
                ],
                _("The member loses the access this period gives at once."),
            )
        comps.revoke_comp(period, form.reason.data, current_user, utcnow())
    except ValidationFailed as failure:
        return refused(user, failure, reason_form=form)
    db.session.commit()
    flash(_("Complimentary period revoked."), "success")
    return redirect(url_for("members.show", user_id=user.id))


@bp.route("/<int:user_id>/tier", methods=["POST"])
@operator_required
def change_tier(user_id: int):
    user = member_or_404(user_id)
    form = ChangeTierForm()
    form.tier.choices = paid_tier_choices()
    if not form.validate_on_submit():
        return render_member(user, 400, tier_form=form)
    tier = tier_by_slug(form.tier.data)
    try:
        if form.confirm.data != "yes":
            comps.check_reason(form.reason.data)
            comps.check_new_tier(tier)
            return confirm_step(
                user,
                form,
                _("Change this member's tier?"),
                [
                    (_("Tier now"), tier_name(standing_at(user, utcnow()).tier)),
                    (_("New tier"), tier_name(tier)),
                    (_("Reason"), form.reason.data.strip()),
                ],
                _("The rest of the member's paid time moves onto the new tier from now."),
            )
        comps.change_tier(user, tier, form.reason.data, current_user, utcnow())
    except ValidationFailed as failure:
        return refused(user, failure, tier_form=form)
    db.session.commit()
    flash(_("Tier changed."), "success")
    return redirect(url_for("members.show", user_id=user.id))


@bp.route("/<int:user_id>/payments/<int:payment_id>/refund", methods=["POST"])
@operator_required
def refund(user_id: int, payment_id: int):
    user = member_or_404(user_id)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.user_id != user.id:
        abort(404)
    form = OperatorRefundForm()
    if not form.validate_on_submit():
        return render_member(user, 400, refund_form=form, refund_payment_id=payment.id)
    try:
        if not (form.reason.data or "").strip():
            raise ValidationFailed([("reason", _("Please give a reason."))])
        amount = yuan_to_fen(form.amount.data)
        if form.confirm.data != "yes":
            return confirm_refund_step(user, payment, amount, form)
        refunds.refund_through_provider(
            payment, amount, utcnow(), actor=current_user, reason=form.reason.data.strip()
        )
    except ValidationFailed as failure:
        return refused(user, failure, refund_form=form, refund_payment_id=payment.id)
    except ProviderError:
        db.session.rollback()
        log.exception("operator refund of payment %s failed at the provider", payment.id)
        failure = ValidationFailed(
            [(None, _("The payment service refused or could not be reached. Nothing changed."))]
        )
        return render_member(user, 503, errors=[failure.errors[0][1]])
    db.session.commit()
    flash(_("Refund recorded."), "success")
    return redirect(url_for("members.show", user_id=user.id))
