"""Q&A forms: they check presence and shape; the services check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from community.media.editor import EDITOR_ATTRIBUTES

REQUIRED = _l("This field is required.")


class AskForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=300)])
    body = TextAreaField(
        _l("Details (Markdown)"),
        validators=[DataRequired(REQUIRED), Length(max=40_000)],
        render_kw=EDITOR_ATTRIBUTES,
    )
    tags = StringField(
        _l("Tags (1 to 5, separated by spaces)"),
        validators=[DataRequired(REQUIRED), Length(max=300)],
    )
    expert = BooleanField(_l("Send to the experts' queue"))


class EditQuestionForm(AskForm):
    note = StringField(_l("What did you change?"), validators=[Optional(), Length(max=200)])


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Your answer (Markdown)"),
        validators=[DataRequired(REQUIRED), Length(max=40_000)],
        render_kw=EDITOR_ATTRIBUTES,
    )
    note = StringField(_l("What did you change?"), validators=[Optional(), Length(max=200)])


class CommentForm(FlaskForm):
    # The length is the service's rule (answers.COMMENT_MAX), counted after line ends are
    # normalised, so a comment the page allowed is never refused for its CR LF line breaks.
    body = TextAreaField(_l("Comment"), validators=[DataRequired(REQUIRED)])


class CloseForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=600)])


class MergeForm(FlaskForm):
    target = StringField(
        _l("Merge into question (number or link)"),
        validators=[DataRequired(REQUIRED), Length(max=300)],
    )


class FlagForm(FlaskForm):
    reason = SelectField(
        _l("Reason"),
        choices=[
            SelectChoice("spam", _l("Spam or advertising")),
            SelectChoice("rude", _l("Rude or abusive")),
            SelectChoice("duplicate", _l("Duplicate of another question")),
            SelectChoice("other", _l("Something else")),
        ],
    )
    original = StringField(
        _l("Original question (number or link)"), validators=[Optional(), Length(max=300)]
    )
    note = StringField(_l("Note for the moderators"), validators=[Optional(), Length(max=1000)])


class TagNameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])


class DigestForm(FlaskForm):
    digest = SelectField(
        _l("Email digest"),
        choices=[
            SelectChoice("each", _l("One email per notification")),
            SelectChoice("daily", _l("Daily")),
            SelectChoice("weekly", _l("Weekly")),
            SelectChoice("off", _l("Off")),
        ],
    )
