"""The operators' deal form and import upload: they carry what was typed; fields.clean_deal
checks it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from community.deals.labels import PLATFORMS

# Form field → the import column it fills (one check for both).
COLUMNS = {
    "external_id": "id",
    "title": "title",
    "platform": "platform",
    "url": "url",
    "list_price": "list_price",
    "price": "price",
    "coupon": "coupon",
    "coupon_code": "coupon_code",
    "coupon_expires_at": "coupon_expires_at",
    "commission_rate": "commission_rate",
    "category": "category",
    "tags": "tags",
    "starts_at": "starts_at",
    "expires_at": "expires_at",
    "image_url": "image_url",
    "description": "description",
}


class DealForm(FlaskForm):
    title = StringField(_l("Title"))
    platform = SelectField(
        _l("Platform"),
        choices=[SelectChoice(value, label) for value, label in PLATFORMS.items()],
        validate_choice=False,
    )
    url = StringField(
        _l("Affiliate URL"),
        description=_l("With the member's place: {sub_id}, {adzone_id} or {relation_id}."),
    )
    price = StringField(_l("Deal price (yuan)"))
    list_price = StringField(_l("List price (yuan)"))
    coupon = StringField(_l("Coupon"))
    coupon_code = StringField(_l("Coupon code"))
    coupon_expires_at = StringField(_l("Coupon valid until"))
    commission_rate = StringField(_l("Commission (%)"))
    category = StringField(_l("Category"))
    tags = StringField(_l("Tags (separated by |)"))
    starts_at = StringField(_l("Starts"), description=_l("Empty: now. A later time schedules it."))
    expires_at = StringField(_l("Ends"), description=_l("Empty: no end."))
    image_url = StringField(_l("Image URL"))
    external_id = StringField(_l("External id"))
    description = TextAreaField(_l("Description (Markdown)"))

    def as_row(self) -> dict:
        return {column: getattr(self, name).data or "" for name, column in COLUMNS.items()}


class ImportForm(FlaskForm):
    deals_file = FileField(_l("CSV or JSON lines file"))
