"""Account forms: they check presence and shape; services check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

REQUIRED = _l("This field is required.")


class RegisterForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    name = StringField(_l("Display name"), validators=[DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    # The inviter the form shows (signed) and the member's choice to sign up as their invitee.
    invite = HiddenField()
    use_invite = BooleanField(default=True)
    # Where the visitor was going (a local path): checked by safe_next_url wherever it is used.
    next = HiddenField()


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=128)])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class EmailOnlyForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)]
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(REQUIRED), Length(max=128)]
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email"), validators=[DataRequired(REQUIRED), Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Display name"), validators=[DataRequired(REQUIRED), Length(max=40)])
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("Follow the browser")),
            SelectChoice("zh_CN", "简体中文"),
            SelectChoice("en", "English"),
        ],
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(REQUIRED), Length(max=60)])


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state."""
