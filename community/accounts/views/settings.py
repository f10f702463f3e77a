"""A member's settings: profile and language, password, email address, API tokens."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from community.accounts import invites, mail_choices, services, tokens
from community.accounts.forms import (
    ApiTokenForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    ProfileForm,
)
from community.accounts.standing import is_member, standing_of
from community.accounts.views import bp
from community.accounts.views.token_mail import mail_token_link
from community.errors import ValidationFailed, attach_errors
from community.extensions import db, limiter
from community.security import login_required_view


def settings_forms(**given):
    forms = {
        "profile_form": ProfileForm(obj=current_user, formdata=None),
        "password_form": ChangePasswordForm(formdata=None),
        "email_form": ChangeEmailForm(formdata=None),
        "token_form": ApiTokenForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
    }
    forms["profile_form"].locale.data = current_user.locale or ""
    forms.update(given)
    return forms


def render_settings(status: int = 200, new_token: str | None = None, **given):
    return (
        render_template(
            "accounts/settings.html",
            api_tokens=tokens.api_tokens_of(current_user),
            invitees=invites.invitees_of(current_user),
            invite_link=url_for("accounts.invite", code=current_user.invite_code, _external=True),
            standing=standing_of(current_user),
            can_use_api=is_member(current_user),
            new_token=new_token,
            mail_kinds=list(mail_choices.KINDS.values()),
            **settings_forms(**given),
        ),
        status,
    )


@bp.route("/settings")
@login_required_view
def settings():
    return render_settings()


@bp.route("/settings/profile", methods=["POST"])
@login_required_view
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.name.data, form.locale.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.settings"))
    return render_settings(400, profile_form=form)


@bp.route("/settings/password", methods=["POST"])
@login_required_view
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            # Keep this session signed in under the new epoch; other sessions end.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.settings"))
    return render_settings(400, password_form=form)


@bp.route("/settings/email", methods=["POST"])
@login_required_view
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_IP"])
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            email = services.check_new_email(
                current_user, form.email.data, form.current_password.data
            )
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            mail_token_link(
                current_user,
                tokens.CHANGE_EMAIL,
                "accounts.confirm_email",
                _l("Confirm your new email address"),
                "change_email",
                email=email,
            )
            flash(
                _(
                    "We sent a confirmation link to %(email)s. "
                    "Your email changes when you open it.",
                    email=email,
                ),
                "info",
            )
            return redirect(url_for("accounts.settings"))
    return render_settings(400, email_form=form)


@bp.route("/email/confirm/<token>")
def confirm_email(token: str):
    try:
        record = tokens.consume_email_token(token, tokens.CHANGE_EMAIL)
        services.apply_new_email(record.user, record.email)
    except tokens.LinkInvalid as invalid:
        db.session.rollback()
        abort(invalid.status, description=invalid.message)
    except ValidationFailed as failure:
        db.session.rollback()
        abort(400, description=failure.errors[0][1])
    db.session.commit()
    flash(_("Your email address is now %(email)s.", email=record.email), "success")
    return redirect(
        url_for("accounts.settings") if current_user.is_authenticated else url_for("accounts.login")
    )


@bp.route("/tokens", methods=["POST"])
@login_required_view
def create_token():
    if not is_member(current_user):
        abort(403, description=_("API tokens are for members. Join to unlock them."))
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            _token, raw = tokens.create_api_token(current_user, form.name.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            return render_settings(201, new_token=raw)
    return render_settings(400, token_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required_view
def revoke_token(token_id: int):
    tokens.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash(_("The token is revoked."), "info")
    return redirect(url_for("accounts.settings"))
