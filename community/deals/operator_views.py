"""Operators' deal pages, made for a phone: the list with clicks per deal, create, edit,
schedule, retire, duplicate, and the import upload."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
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
from sqlalchemy import or_, select

from community.clock import utcnow
from community.deals import publishing
from community.deals.fields import clean_deal
from community.deals.forms import COLUMNS, DealForm, ImportForm
from community.deals.importer import import_deals
from community.deals.labels import template_labels
from community.deals.models import DRAFT, EXPIRED, PUBLISHED, RETIRED, Deal
from community.errors import ValidationFailed
from community.extensions import db
from community.numbers import parse_int
from community.security import operator_required

bp = Blueprint("deal_ops", __name__, url_prefix="/operator/deals")
bp.app_context_processor(template_labels)
PAGE_SIZE = 50
VIEWS = ("open", "drafts", "ended", "all")


def listing(view: str, moment):
    query = select(Deal)
    if view == "open":
        query = query.where(
            Deal.status.in_(PUBLISHED), or_(Deal.expires_at.is_(None), Deal.expires_at > moment)
        )
    elif view == "drafts":
        query = query.where(Deal.status == DRAFT)
    elif view == "ended":
        query = query.where(
            or_(
                Deal.status.in_((EXPIRED, RETIRED)),
                Deal.expires_at <= moment,
            ),
            Deal.status != DRAFT,
        )
    return query.order_by(Deal.id.desc())


@bp.route("")
@operator_required
def index(import_form=None, result=None, status: int = 200):
    view = request.args.get("view") if request.args.get("view") in VIEWS else "open"
    page = parse_int(request.args.get("page") or "1", 1, 10_000) or 1
    moment = utcnow()
    deals = list(
        db.session.scalars(listing(view, moment).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    )
    clicks = publishing.click_counts(deal.id for deal in deals)
    html = render_template(
        "deals/operator/index.html",
        deals=deals,
        clicks=clicks,
        view=view,
        views=VIEWS,
        page=page,
        more=len(deals) == PAGE_SIZE,
        moment=moment,
        import_form=import_form or ImportForm(),
        result=result,
    )
    db.session.commit()
    return html, status


def local_input(moment) -> str:
    """A stored time as the operator's form shows it (site time zone, minutes)."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def form_for(deal: Deal) -> DealForm:
    form = DealForm(formdata=None)
    values = {
        "external_id": deal.external_id or "",
        "title": deal.title,
        "platform": deal.platform,
        "url": deal.url_template,
        "price": f"{deal.price / 100:.2f}",
        "list_price": f"{deal.list_price / 100:.2f}" if deal.list_price else "",
        "coupon": deal.coupon,
        "coupon_code": deal.coupon_code,
        "coupon_expires_at": local_input(deal.coupon_expires_at),
        "commission_rate": f"{deal.commission_rate / 100:g}",
        "category": deal.category,
        "tags": "|".join(deal.tag_names),
        "starts_at": local_input(deal.starts_at) if deal.status != DRAFT else "",
        "expires_at": local_input(deal.expires_at),
        "image_url": deal.image_url,
        "description": deal.description,
    }
    for name, value in values.items():
        getattr(form, name).data = value
    return form


def edit_page(form: DealForm, deal: Deal | None, status: int = 200):
    moment = utcnow()
    same = []
    if deal is not None:
        same = publishing.live_same_item(deal.item_key, moment, other_than=deal.id)
    html = render_template(
        "deals/operator/edit.html",
        form=form,
        deal=deal,
        same=same,
        clicks=publishing.click_counts([deal.id]).get(deal.id, 0) if deal else 0,
        state=deal.state_at(moment) if deal else None,
    )
    db.session.commit()
    return html, status


def save_form(deal: Deal | None):
    form = DealForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return edit_page(form, deal, 400)
    publish = request.form.get("action") == "publish"
    moment = utcnow()
    try:
        values = clean_deal(form.as_row())
        saved = publishing.save(current_user, deal, values, publish, moment)
        db.session.flush()
    except ValidationFailed as failure:
        db.session.rollback()
        fields = {column: name for name, column in COLUMNS.items()}
        for column, reason in failure.errors:
            field = getattr(form, fields.get(column, ""), None)
            if field is not None:
                field.errors = [*field.errors, reason]
            else:
                form.form_errors.append(reason)
        return edit_page(form, deal if deal is None else db.session.get(Deal, deal.id), 422)
    same = publishing.live_same_item(saved.item_key, moment, other_than=saved.id)
    db.session.commit()
    flash(
        _(
            "Deal saved: %(state)s.",
            state=template_labels()["deal_state_name"](saved.state_at(moment)),
        ),
        "success",
    )
    if same:
        flash(
            _("The same item is already live: %(titles)s", titles="、".join(d.title for d in same)),
            "warning",
        )
    return redirect(url_for("deal_ops.edit", deal_id=saved.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@operator_required
def new():
    if request.method == "POST":
        return save_form(None)
    return edit_page(DealForm(formdata=None), None)


@bp.route("/<int:deal_id>", methods=["GET", "POST"])
@operator_required
def edit(deal_id: int):
    deal = db.session.get(Deal, deal_id) or abort(404)
    if request.method == "POST":
        return save_form(deal)
    return edit_page(form_for(deal), deal)


@bp.route("/<int:deal_id>/retire", methods=["POST"])
@operator_required
def retire(deal_id: int):
    deal = db.session.get(Deal, deal_id) or abort(404)
    publishing.retire(current_user, deal)
    db.session.commit()
    flash(_("Deal withdrawn: it has left the feed."), "success")
    return redirect(url_for("deal_ops.edit", deal_id=deal.id), 303)


@bp.route("/<int:deal_id>/duplicate", methods=["POST"])
@operator_required
def duplicate(deal_id: int):
    deal = db.session.get(Deal, deal_id) or abort(404)
    copy = publishing.duplicate(current_user, deal)
    db.session.commit()
    flash(_("A draft copy was made. Adjust it and publish."), "success")
    return redirect(url_for("deal_ops.edit", deal_id=copy.id), 303)


@bp.route("/import", methods=["POST"])
@operator_required
def upload():
    form = ImportForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return index(form, None, 400)
    upload = form.deals_file.data
    if not upload or not upload.filename:
        form.form_errors.append(_("Choose a CSV or JSON lines file."))
        return index(form, None, 400)
    result = import_deals(upload.read(), utcnow(), actor=current_user)
    if result.errors:
        db.session.rollback()
        return index(ImportForm(formdata=None), result, 422)
    db.session.commit()
    return index(ImportForm(formdata=None), result, 200)
