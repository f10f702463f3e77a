"""A member's rebates: balances by state, orders and shares, the invite link and its QR code,
invitees and referral earnings, withdrawals (with a confirmation step), order claims and the
Taobao ids they record."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.affiliate.services import identity_of, record_member_binding
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.numbers import parse_yuan
from community.rebates import ledger, matching, statements, withdrawals
from community.rebates.forms import BindingsForm, ClaimForm, WithdrawForm
from community.rebates.labels import template_labels
from community.rebates.settings import rebate_settings
from community.security import login_required_view
from community.sharing.qr import qr_response
from community.site_links import site_url

member_bp = Blueprint("rebates", __name__, url_prefix="/rebates")
member_bp.app_context_processor(template_labels)


def invite_link() -> str:
    """Under SITE_URL, never the Host a request named: the link and its QR code travel."""
    return site_url("accounts.invite", code=current_user.invite_code)


def render_home(status: int = 200, **forms):
    moment = utcnow()
    identity = identity_of(current_user)
    page = render_template(
        "rebates/home.html",
        balances=ledger.balances(current_user.id, moment),
        settings=rebate_settings(),
        orders=statements.order_rows(current_user.id),
        invitees=statements.invitees(current_user.id),
        referral_earnings=statements.referral_earnings(current_user.id),
        withdrawals=withdrawals.withdrawals_of(current_user.id),
        invite_link=invite_link(),
        identity=identity,
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
        claim_form=forms.get("claim_form") or ClaimForm(),
        bindings_form=forms.get("bindings_form")
        or BindingsForm(relation_id=identity.relation_id, special_id=identity.special_id),
        mask_order_no=statements.mask_order_no,
    )
    db.session.commit()
    return page, status


def show_errors(form, failure: ValidationFailed) -> None:
    """Put a service's reasons on the form's fields (or the form as a whole)."""
    for name, reason in failure.errors:
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(reason)]
        else:
            form.form_errors.append(str(reason))


@member_bp.route("")
@login_required_view
def home():
    return render_home()


@member_bp.route("/invite.svg", defaults={"kind": "svg"})
@member_bp.route("/invite.png", defaults={"kind": "png"})
@login_required_view
def invite_qr(kind: str):
    """The invite link's QR code to show (SVG), or to save (`?download=1`, either kind)."""
    download = request.args.get("download") == "1"
    return qr_response(invite_link(), kind, f"invite-qr.{kind}" if download else None)


@member_bp.route("/withdraw", methods=["POST"])
@login_required_view
def withdraw():
    """First post: check and show what will happen; the confirmation's post does it."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return render_home(400, withdraw_form=form)
    moment = utcnow()
    amount = parse_yuan(form.amount.data)
    try:
        if form.confirm.data != "yes":
            withdrawals.clean_payee(form.method.data, form.account.data, form.account_name.data)
            withdrawals.check_amount(current_user.id, amount, moment)
            db.session.commit()
            form.confirm.data = "yes"
            return render_template("rebates/withdraw_confirm.html", form=form, amount=amount)
        withdrawals.request_withdrawal(
            current_user,
            amount,
            form.method.data,
            form.account.data,
            form.account_name.data,
            moment,
        )
    except ValidationFailed as failure:
        db.session.rollback()
        form.confirm.data = ""
        show_errors(form, failure)
        return render_home(400, withdraw_form=form)
    db.session.commit()
    flash(_("Your withdrawal was requested. The amount is frozen until we pay it."), "success")
    return redirect(url_for("rebates.home") + "#withdrawals")


@member_bp.route("/claim", methods=["POST"])
@login_required_view
def claim():
    form = ClaimForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return render_home(400, claim_form=form)
    try:
        matching.claim_order(current_user, form.order_no.data, utcnow())
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return render_home(400, claim_form=form)
    db.session.commit()
    flash(_("Thank you. An operator will check the order and credit it to you."), "success")
    return redirect(url_for("rebates.home") + "#claim")


@member_bp.route("/ids", methods=["POST"])
@login_required_view
def record_ids():
    form = BindingsForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return render_home(400, bindings_form=form)
    try:
        record_member_binding(current_user, "relation_id", form.relation_id.data)
        record_member_binding(current_user, "special_id", form.special_id.data)
    except (ValidationFailed, NotAllowed) as failure:
        db.session.rollback()
        if isinstance(failure, NotAllowed):
            abort(403)
        show_errors(form, failure)
        return render_home(400, bindings_form=form)
    db.session.commit()
    flash(_("Your Taobao ids were saved."), "success")
    return redirect(url_for("rebates.home") + "#ids")
