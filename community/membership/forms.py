"""Forms for the tier pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class TierTextsForm(FlaskForm):
    """A tier's name and description in each language (lengths are checked by the service)."""

    name = StringField(_l("Name (Chinese)"))
    name_en = StringField(_l("Name (English)"))
    description = TextAreaField(_l("Description (Chinese)"))
    description_en = TextAreaField(_l("Description (English)"))
