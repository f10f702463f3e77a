"""Admin pages for tiers: each tier's name and description in every language."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from community.errors import ValidationFailed
from community.extensions import db
from community.membership.forms import TierTextsForm
from community.membership.models import Tier
from community.membership.tiers import set_tier_texts, tier_by_slug, tier_name
from community.security import admin_required

bp = Blueprint("tiers", __name__, url_prefix="/operator/tiers")


def all_tiers() -> list[Tier]:
    return list(db.session.scalars(db.select(Tier).order_by(Tier.rank)))


def render_tiers(status: int = 200, failed: tuple[str, TierTextsForm] | None = None):
    forms = {tier.slug: TierTextsForm(obj=tier, prefix=tier.slug) for tier in all_tiers()}
    if failed:
        forms[failed[0]] = failed[1]
    return render_template("membership/tiers.html", tiers=all_tiers(), forms=forms), status


@bp.route("")
@admin_required
def index():
    return render_tiers()


@bp.route("/<slug>", methods=["POST"])
@admin_required
def update(slug: str):
    tier = tier_by_slug(slug)
    if tier is None:
        abort(404)
    form = TierTextsForm(prefix=tier.slug)
    if not form.validate_on_submit():
        return render_tiers(400, (slug, form))
    try:
        set_tier_texts(
            tier,
            name=form.name.data or "",
            name_en=form.name_en.data or "",
            description=form.description.data or "",
            description_en=form.description_en.data or "",
        )
    except ValidationFailed as failure:
        db.session.rollback()
        for field, reason in failure.errors:
            getattr(form, field).errors = [*getattr(form, field).errors, reason]
        return render_tiers(400, (slug, form))
    db.session.commit()
    flash(_("%(tier)s saved.", tier=tier_name(tier)), "success")
    return redirect(url_for("tiers.index"))
