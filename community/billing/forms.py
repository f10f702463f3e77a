"""Billing forms: they carry what was shown; services check it against a fresh quote."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from community.errors import ValidationFailed
from community.numbers import parse_typed_int, parse_yuan


class CheckoutForm(FlaskForm):
    tier = HiddenField()
    kind = HiddenField()
    amount = HiddenField()
    mode = RadioField(
        _l("How to pay"),
        choices=[
            SelectChoice("pass", _l("One-year pass (card, Alipay or WeChat Pay)")),
            SelectChoice("subscription", _l("Yearly card subscription (renews automatically)")),
        ],
        default="pass",
        validate_choice=False,
    )
    # Yuan from the member's rebate balance (empty: none); confirmed on a page of its own.
    balance = StringField(_l("Pay from your rebate balance (yuan)"))
    confirm = HiddenField()
    # The page the member came from (a local path), to return to once paid.
    back = HiddenField()


class CompForm(FlaskForm):
    tier = SelectField(_l("Tier"), validate_choice=False)
    days = StringField(_l("Days"), default="30")
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    # "yes" once the operator saw the confirmation page (see operator_views.confirm_step).
    confirm = HiddenField()


class ChangeTierForm(FlaskForm):
    tier = SelectField(_l("New tier"), validate_choice=False)
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    confirm = HiddenField()


class OperatorRefundForm(FlaskForm):
    amount = StringField(_l("Amount (yuan)"))
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])
    confirm = HiddenField()


class SettingsForm(FlaskForm):
    discount_percent = StringField(_l("Renewal discount (%)"))
    grace_days = StringField(_l("Grace days after a failed renewal"))


def whole_number(value: str | None, field: str) -> int:
    """Parse a whole number typed into a form, or refuse with a message for `field`."""
    number = parse_typed_int(value)
    if number is None:
        raise ValidationFailed([(field, _l("Enter a whole number."))])
    return number


def yuan_to_fen(value: str | None, field: str = "amount") -> int:
    """Parse an amount in yuan with at most two decimals into integer fen."""
    fen = parse_yuan(value)
    if fen is None:
        raise ValidationFailed([(field, _l("Enter an amount in yuan, like 99.50."))])
    return fen
