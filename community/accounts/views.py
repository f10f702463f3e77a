"""Account pages: sign-up, email verification, sign-in, password reset, settings, invites."""

from __future__ import annotations

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from community.accounts import invites, services, tokens
from community.accounts.forms import (
    ApiTokenForm,
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from community.accounts.models import User
from community.billing.entitlements import is_member, standing
from community.clock import utcnow
from community.errors import ValidationFailed, attach_errors
from community.extensions import db, limiter
from community.mail import send_email
from community.security import login_required_view, safe_next_url
from community.templating import locale_code

bp = Blueprint("accounts", __name__, url_prefix="/account")


def login_failed(response) -> bool:
    """Count a login attempt against the limits only when it did not sign anyone in."""
    return response.status_code != 302


def login_account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def send_verification(user: User) -> None:
    raw = tokens.issue_email_token(user, tokens.VERIFY_EMAIL)
    db.session.commit()
    link = url_for("accounts.verify", token=raw, _external=True)
    send_email(
        user.email,
        _l("Confirm your email address"),
        "verify",
        locale=user.locale,
        user=user,
        link=link,
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.invite.data = request.args.get("invite", "")
    inviter = invites.inviter_by_code(form.invite.data) or invites.inviter_from_cookie(
        request.cookies.get(invites.INVITE_COOKIE)
    )
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data,
                form.name.data,
                form.password.data,
                inviter=inviter,
                locale=locale_code(),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            send_verification(user)
            login_user(user)
            flash(
                _("Welcome! We sent a confirmation link to %(email)s.", email=user.email), "success"
            )
            response = redirect(url_for("pages.index"))
            response.delete_cookie(invites.INVITE_COOKIE)
            return response
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/register.html", form=form, inviter=inviter), status


@bp.route("/verify/<token>")
def verify(token: str):
    try:
        record = tokens.consume_email_token(token, tokens.VERIFY_EMAIL)
    except tokens.LinkInvalid as invalid:
        abort(invalid.status, description=invalid.message)
    if record.email != record.user.email:
        abort(410, description=_("This link was for an address the account no longer uses."))
    record.user.email_verified_at = record.user.email_verified_at or utcnow()
    db.session.commit()
    flash(_("Your email address is confirmed."), "success")
    return redirect(url_for("pages.index"))


@bp.route("/verify/resend", methods=["POST"])
@login_required_view
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_IP"])
def resend_verification():
    if current_user.is_verified:
        flash(_("Your email address is already confirmed."), "info")
    else:
        send_verification(current_user)
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email), "success"
        )
    return redirect(url_for("accounts.settings"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    methods=["POST"],
    scope="login-ip",
    deduct_when=login_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    scope="login-account",
    key_func=login_account_key,
    deduct_when=login_failed,
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    target = safe_next_url(form.next.data, url_for("pages.index"))
    if current_user.is_authenticated:
        return redirect(target)
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(target)
        form.form_errors.append(_("The email or password is wrong."))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_IP"], methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        try:
            email = services.normalize_email(form.email.data)
        except ValidationFailed as failure:
            attach_errors(form, failure)
        else:
            user = services.find_by_email(email)
            if user is not None:
                raw = tokens.issue_email_token(user, tokens.RESET_PASSWORD)
                db.session.commit()
                link = url_for("accounts.reset_password", token=raw, _external=True)
                send_email(
                    user.email,
                    _l("Reset your password"),
                    "reset",
                    locale=user.locale,
                    user=user,
                    link=link,
                )
            flash(
                _("If an account uses %(email)s, a reset link is on its way.", email=email), "info"
            )
            return redirect(url_for("accounts.login"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        record = tokens.peek_email_token(token, tokens.RESET_PASSWORD)
    except tokens.LinkInvalid as invalid:
        abort(invalid.status, description=invalid.message)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            tokens.consume_email_token(token, tokens.RESET_PASSWORD)
            services.set_password(record.user, form.password.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            # The reset link proved the address, so it is verified too.
            record.user.email_verified_at = record.user.email_verified_at or utcnow()
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    db.session.rollback()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/reset.html", form=form), status


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
            standing=standing(current_user),
            can_use_api=is_member(current_user),
            new_token=new_token,
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
            raw = tokens.issue_email_token(current_user, tokens.CHANGE_EMAIL, email=email)
            db.session.commit()
            link = url_for("accounts.confirm_email", token=raw, _external=True)
            send_email(
                email,
                _l("Confirm your new email address"),
                "change_email",
                locale=current_user.locale,
                user=current_user,
                link=link,
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


@bp.route("/invite/<code>", endpoint="invite")
def follow_invite(code: str):
    """Remember who invited this visitor for the next 30 days, whatever they browse first."""
    inviter = invites.inviter_by_code(code)
    response = redirect(url_for("pages.index"))
    if inviter is None:
        flash(_("This invitation link is not valid."), "warning")
        return response
    if current_user.is_authenticated:
        if current_user.id == inviter.id:
            flash(_("This is your own invitation link. Share it with friends."), "info")
        else:
            flash(_("Invitations are for new accounts; yours already exists."), "info")
        return response
    days = current_app.config["INVITE_COOKIE_DAYS"]
    response.set_cookie(
        invites.INVITE_COOKIE,
        invites.invite_cookie_value(inviter),
        max_age=days * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    flash(
        _(
            "%(name)s invited you. Sign up within %(days)d days to join them.",
            name=inviter.name,
            days=days,
        ),
        "info",
    )
    return response


@bp.route("/users/<int:user_id>", endpoint="profile")
def show_profile(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return render_template("accounts/profile.html", user=user, standing=standing(user))
