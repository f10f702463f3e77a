"""Operators' rebate pages: imports with per-file results, the unmatched queue and claims,
liabilities, the withdrawal queue (each step confirmed on its own page), payout CSV, any
member's ledger with a running balance and their network positions, and the rules."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from community.accounts.models import User
from community.affiliate.services import assign_position, identity_of
from community.billing.forms import whole_number, yuan_to_fen
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.numbers import parse_int
from community.rebates import ledger, matching, withdrawals
from community.rebates.forms import (
    AssignForm,
    ConfirmStepForm,
    ImportForm,
    PositionsForm,
    ReasonForm,
    ReferenceForm,
    SettingsForm,
)
from community.rebates.importer import import_report
from community.rebates.models import NETWORKS, OrderClaim, RebateOrder, ReportImport, Withdrawal
from community.rebates.settings import rebate_settings, update_rebate_settings
from community.rebates.views.member import show_errors
from community.security import operator_required

operator_bp = Blueprint("rebate_ops", __name__, url_prefix="/operator/rebates")
UNMATCHED_PAGE = 50

STEPS = {
    "approve": (withdrawals.approve, ConfirmStepForm),
    "pay": (withdrawals.mark_paid, ReferenceForm),
    "reject": (withdrawals.reject, ReasonForm),
}


@operator_bp.url_value_preprocessor
def allow_large_reports(endpoint, _values) -> None:
    """Reports are larger than the site's other uploads; set before CSRF reads the form."""
    if endpoint == "rebate_ops.upload":
        request.max_content_length = current_app.config["REBATE_IMPORT_MAX_BYTES"]


def recent_imports(limit: int = 20) -> list[ReportImport]:
    return list(
        db.session.scalars(select(ReportImport).order_by(ReportImport.id.desc()).limit(limit))
    )


@operator_bp.route("")
@operator_required
def index(form=None, status: int = 200):
    moment = utcnow()
    page = render_template(
        "rebates/operator/index.html",
        liabilities=ledger.liabilities(moment),
        imports=recent_imports(),
        form=form or ImportForm(),
        unmatched=db.session.scalar(
            select(func.count(RebateOrder.id)).where(RebateOrder.user_id.is_(None))
        ),
        waiting=len(withdrawals.queue()),
    )
    db.session.commit()
    return page, status


@operator_bp.route("/import", methods=["POST"])
@operator_required
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return index(form, 400)
    upload = form.report.data
    if form.network.data not in NETWORKS or not upload or not upload.filename:
        form.form_errors.append(_("Choose the network and the report file."))
        return index(form, 400)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report"
        upload.save(path)
        run = import_report(
            path,
            form.network.data,
            utcnow(),
            actor=current_user,
            filename=upload.filename,
            partial=form.partial.data,
        )
    return redirect(url_for("rebate_ops.show_import", import_id=run.id))


@operator_bp.route("/imports/<int:import_id>")
@operator_required
def show_import(import_id: int):
    run = db.session.get(ReportImport, import_id) or abort(404)
    status = 200 if run.status != "refused" else 422
    return render_template(
        "rebates/operator/import.html", run=run, refusals=json.loads(run.refusals)
    ), status


@operator_bp.route("/unmatched")
@operator_required
def unmatched():
    total = matching.unmatched_count()
    pages = max(1, -(-total // UNMATCHED_PAGE))
    page = min(parse_int(request.args.get("page"), 1, 9_999) or 1, pages)
    return render_template(
        "rebates/operator/unmatched.html",
        orders=matching.unmatched_orders(UNMATCHED_PAGE, (page - 1) * UNMATCHED_PAGE),
        total=total,
        page=page,
        pages=pages,
        claims=matching.open_claims(),
        form=AssignForm(),
    )


def confirmed(form) -> bool:
    """A money step runs only from its confirmation page's form (`confirm=yes`)."""
    return form.confirm.data == "yes"


def order_step(order: RebateOrder, member: User, form, action: str, target: str, claim=None):
    """The page that says what a step will credit and asks before it does."""
    return render_template(
        "rebates/operator/order_step.html",
        order=order,
        member=member,
        preview=matching.preview_assignment(order, member) if order.user_id is None else None,
        form=form,
        action=action,
        target=target,
        claim=claim,
    )


@operator_bp.route("/orders/<int:order_id>/assign", methods=["POST"])
@operator_required
def assign(order_id: int):
    """The queue's form shows what the order would credit and to whom; its confirmation's POST
    gives the order to the member, once."""
    order = db.session.get(RebateOrder, order_id) or abort(404)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    email = (form.email.data or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        abort(400, description=_("No member has this email."))
    if order.user_id is not None:
        abort(400, description=_("This order already belongs to a member."))
    if not confirmed(form):
        form.email.data = user.email
        return order_step(
            order, user, form, "assign", url_for("rebate_ops.assign", order_id=order.id)
        )
    try:
        matching.assign_order(current_user, order, user, utcnow())
    except ValidationFailed as failure:
        db.session.rollback()
        abort(400, description=str(failure.errors[0][1]))
    db.session.commit()
    flash(_("The order now belongs to %(email)s and is credited.", email=user.email), "success")
    return redirect(url_for("rebate_ops.unmatched"))


@operator_bp.route("/claims/<int:claim_id>/<any(accept, reject):decision>", methods=["GET", "POST"])
@operator_required
def decide(claim_id: int, decision: str):
    """GET shows the claim and what accepting it would credit; the confirmation's POST decides."""
    claim = db.session.get(OrderClaim, claim_id) or abort(404)
    form = ConfirmStepForm()
    target = url_for("rebate_ops.decide", claim_id=claim.id, decision=decision)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, description=_("The form has expired. Please try again."))
        if confirmed(form):
            try:
                matching.decide_claim(current_user, claim, decision == "accept", utcnow())
            except ValidationFailed as failure:
                db.session.rollback()
                abort(400, description=str(failure.errors[0][1]))
            db.session.commit()
            flash(_("The claim was decided."), "success")
            return redirect(url_for("rebate_ops.unmatched"))
    return order_step(claim.order, claim.user, form, decision, target, claim)


@operator_bp.route("/withdrawals")
@operator_required
def withdrawal_queue():
    return render_template(
        "rebates/operator/withdrawals.html",
        waiting=withdrawals.queue(),
        done=withdrawals.queue((withdrawals.PAID, withdrawals.REJECTED), limit=50),
    )


@operator_bp.route("/withdrawals/payouts.csv")
@operator_required
def payouts():
    approved = withdrawals.queue((withdrawals.APPROVED,), limit=10_000)
    return Response(
        withdrawals.payout_csv(approved),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=payouts.csv"},
    )


@operator_bp.route(
    "/withdrawals/<int:withdrawal_id>/<any(approve, pay, reject):action>",
    methods=["GET", "POST"],
)
@operator_required
def withdrawal_step(withdrawal_id: int, action: str):
    """GET shows what the step will do; the confirmation's POST does it, once."""
    withdrawal = db.session.get(Withdrawal, withdrawal_id) or abort(404)
    service, form_class = STEPS[action]
    form = form_class()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            form.form_errors.append(_("The form has expired. Please try again."))
            status = 400
        else:
            arguments = {"pay": [form.data.get("reference")], "reject": [form.data.get("reason")]}
            try:
                service(current_user, withdrawal, *arguments.get(action, []), utcnow())
            except ValidationFailed as failure:
                db.session.rollback()
                show_errors(form, failure)
                status = 400
            else:
                db.session.commit()
                flash(_("Withdrawal #%(id)d: done.", id=withdrawal.id), "success")
                return redirect(url_for("rebate_ops.withdrawal_queue"))
    return render_template(
        "rebates/operator/withdrawal_step.html",
        withdrawal=withdrawal,
        action=action,
        form=form,
        balances=ledger.balances(withdrawal.user_id, utcnow()),
    ), status


@operator_bp.route("/members")
@operator_required
def find_member():
    email = (request.args.get("email") or "").strip().lower()[:254]
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        flash(_("No member has this email."), "error")
        return redirect(url_for("rebate_ops.index"))
    return redirect(url_for("rebate_ops.member_ledger", user_id=user.id))


def render_ledger(user: User, form=None, status: int = 200):
    identity = identity_of(user)
    page = render_template(
        "rebates/operator/ledger.html",
        member=user,
        balances=ledger.balances(user.id, utcnow()),
        rows=ledger.with_running_balance(user.id),
        identity=identity,
        form=form
        or PositionsForm(
            adzone_id=identity.adzone_id,
            jd_position_id=identity.jd_position_id,
            pdd_pid=identity.pdd_pid,
        ),
    )
    db.session.commit()
    return page, status


@operator_bp.route("/members/<int:user_id>")
@operator_required
def member_ledger(user_id: int):
    return render_ledger(db.session.get(User, user_id) or abort(404))


@operator_bp.route("/members/<int:user_id>/positions", methods=["POST"])
@operator_required
def positions(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = PositionsForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return render_ledger(user, form, 400)
    try:
        for field in ("adzone_id", "jd_position_id", "pdd_pid"):
            assign_position(current_user, user, field, getattr(form, field).data)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return render_ledger(user, form, 400)
    db.session.commit()
    flash(_("Positions saved."), "success")
    return redirect(url_for("rebate_ops.member_ledger", user_id=user.id))


@operator_bp.route("/settings", methods=["GET", "POST"])
@operator_required
def settings():
    row = rebate_settings()
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        form.referral_share.data = str(row.referral_share)
        form.holding_days.data = str(row.holding_days)
        form.minimum_withdrawal.data = f"{row.minimum_withdrawal / 100:.2f}"
    elif not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        status = 400
    else:
        try:
            update_rebate_settings(
                current_user,
                whole_number(form.referral_share.data, "referral_share"),
                whole_number(form.holding_days.data, "holding_days"),
                yuan_to_fen(form.minimum_withdrawal.data, "minimum_withdrawal"),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            show_errors(form, failure)
            status = 400
        else:
            db.session.commit()
            flash(_("Rebate settings saved."), "success")
            return redirect(url_for("rebate_ops.settings"))
    db.session.commit()
    return render_template("rebates/operator/settings.html", form=form), status
