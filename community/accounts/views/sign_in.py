"""Signing up, confirming the email address, signing in and out, resetting a password."""

from __future__ import annotations

from flask import (
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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from community.accounts import invites, services, sign_ins, tokens
from community.accounts.forms import (
    EmailOnlyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from community.accounts.models import User
from community.accounts.views import bp
from community.accounts.views.token_mail import mail_token_link
from community.clock import utcnow
from community.errors import ValidationFailed, attach_errors
from community.extensions import db, limiter
from community.mail import mail_sent
from community.metrics import count_failed_login
from community.security import login_required_view, rotate_csrf_secret, safe_next_url
from community.templating import locale_code


def login_failed(response) -> bool:
    """Count a login attempt against the limits only when it did not sign anyone in."""
    return response.status_code != 302


def login_account_key() -> str:
    """The account a sign-in names, folded exactly as authentication folds it."""
    return "account:" + services.email_key(request.form.get("email"))


def login_account_ip_key() -> str:
    return f"account-ip:{get_remote_address()}:{services.email_key(request.form.get('email'))}"


def start_session(user: User, remember: bool = False) -> None:
    """Sign `user` in on this browser under a new sign-in, committed, with a new CSRF secret
    (a token from before signing in must not work after)."""
    sign_ins.open_sign_in(user)
    db.session.commit()
    login_user(user, remember=remember)
    rotate_csrf_secret()


def send_verification(user: User, next_url: str = "") -> None:
    """Mail the confirmation link; it leads back to `next_url` (a local path) once confirmed."""
    mail_token_link(
        user,
        tokens.VERIFY_EMAIL,
        "accounts.verify",
        _l("Confirm your email address"),
        "verify",
        link_values={"next": next_url} if next_url else None,
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["MAIL_LIMIT_PER_IP"], methods=["POST"], deduct_when=mail_sent
)
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    next_url = safe_next_url(form.next.data, "")
    if current_user.is_authenticated:
        return redirect(next_url or url_for("pages.index"))
    if request.method == "GET":
        invited_by = invites.inviter_by_code(
            request.args.get("invite")
        ) or invites.inviter_from_cookie(request.cookies.get(invites.INVITE_COOKIE))
        form.invite.data = invites.form_value(invited_by) if invited_by else ""
    # Only an inviter this form showed, and only if the member kept the choice, is bound.
    inviter = invites.inviter_from_form(form.invite.data)
    if form.validate_on_submit():
        try:
            user = services.register_user(
                form.email.data,
                form.name.data,
                form.password.data,
                inviter=inviter if form.use_invite.data else None,
                locale=locale_code(),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            send_verification(user, next_url)
            start_session(user)
            flash(
                _("Welcome! We sent a confirmation link to %(email)s.", email=user.email), "success"
            )
            response = redirect(next_url or url_for("pages.index"))
            response.delete_cookie(invites.INVITE_COOKIE)
            return response
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "accounts/register.html", form=form, inviter=inviter, next_url=next_url
    ), status


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
    return redirect(safe_next_url(request.args.get("next"), url_for("pages.index")))


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
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"],
    methods=["POST"],
    scope="login-account-ip",
    key_func=login_account_ip_key,
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
            start_session(user, remember=form.remember.data)
            return redirect(target)
        form.form_errors.append(_("The email or password is wrong."))
        count_failed_login()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sign_ins.end_sign_in(current_user)
        db.session.commit()
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
                mail_token_link(
                    user,
                    tokens.RESET_PASSWORD,
                    "accounts.reset_password",
                    _l("Reset your password"),
                    "reset",
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
            services.reset_password(record.user, form.password.data)
        except ValidationFailed as failure:
            db.session.rollback()
            attach_errors(form, failure)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    db.session.rollback()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/reset.html", form=form), status
