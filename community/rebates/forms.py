"""Rebate forms: they carry what was typed; services check and refuse with reasons."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from community.rebates.models import NETWORKS

METHOD_CHOICES = [
    SelectChoice("alipay", _l("Alipay")),
    SelectChoice("wechat", _l("WeChat Pay")),
    SelectChoice("bank", _l("Bank transfer")),
]
NETWORK_LABELS = {
    "taobao": _l("Taobao Union (.xls, .xlsx or CSV)"),
    "jd": _l("JD Union"),
    "pdd": _l("Pinduoduo"),
    "generic": _l("Generic CSV"),
}


class WithdrawForm(FlaskForm):
    amount = StringField(_l("Amount (yuan)"))
    method = SelectField(_l("Paid by"), choices=METHOD_CHOICES, validate_choice=False)
    account = StringField(_l("Account (Alipay account, WeChat ID or bank card)"))
    account_name = StringField(_l("Account holder's real name"))
    confirm = HiddenField()


class ClaimForm(FlaskForm):
    order_no = StringField(_l("Order number"), validators=[Length(max=64)])


class BindingsForm(FlaskForm):
    relation_id = StringField(_l("Taobao relation ID (渠道关系ID)"))
    special_id = StringField(_l("Taobao member operations ID (会员运营ID)"))


class PositionsForm(FlaskForm):
    adzone_id = StringField(_l("Taobao adzone ID (推广位ID)"))
    jd_position_id = StringField(_l("JD position ID (positionId)"))
    pdd_pid = StringField(_l("Pinduoduo p_id"))


class ImportForm(FlaskForm):
    network = SelectField(
        _l("Network"),
        choices=[SelectChoice(name, NETWORK_LABELS[name]) for name in NETWORKS],
        validate_choice=False,
    )
    report = FileField(_l("Report file"))
    partial = BooleanField(_l("Import the good rows even if some are refused"))


class AssignForm(FlaskForm):
    email = StringField(_l("Member's email"), validators=[Length(max=254)])
    confirm = HiddenField()


class ReferenceForm(FlaskForm):
    reference = StringField(_l("Payout reference (transfer number)"))
    confirm = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=500)])
    confirm = HiddenField()


class ConfirmStepForm(FlaskForm):
    confirm = HiddenField()


class SettingsForm(FlaskForm):
    referral_share = StringField(_l("Referral share (%)"))
    holding_days = StringField(_l("Holding days after settlement"))
    minimum_withdrawal = StringField(_l("Minimum withdrawal (yuan)"))
