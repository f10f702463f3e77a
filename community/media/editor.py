"""What a Markdown text area needs for the picture toolbar (static/js/toolbar.js)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from community.media.paths import PREFIX

# `render_kw` of a WTForms TextAreaField; the labels are translated as the field is rendered.
EDITOR_ATTRIBUTES = {
    "data-editor": "markdown",
    "data-upload-url": f"{PREFIX}upload",
    "data-label-toolbar": _l("Formatting"),
    "data-label-bold": _l("Bold"),
    "data-label-list": _l("List"),
    "data-label-link": _l("Link"),
    "data-label-image": _l("Picture"),
    "data-label-uploading": _l("Uploading the picture…"),
    "data-label-uploaded": _l("Picture added."),
    "data-label-failed": _l("The picture could not be uploaded. Please try again."),
}
