"""Words and dates the Q&A pages repeat on every row, prepared once per language or request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, url_for
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import lazy_gettext as _l

from community.templating import url_with_id

LABELS = {
    "Votes": _l("Votes"),
    "Answers": _l("Answers"),
    "pinned": _l("Pinned"),
    "featured": _l("Featured"),
    "public": _l("Public"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "locked": _l("Locked"),
    "duplicate": _l("Duplicate"),
    "comment": _l("Comment"),
    "add_comment": _l("Add a comment"),
    "edit": _l("Edit"),
    "history": _l("History"),
    "accept": _l("Accept this answer"),
    "unaccept": _l("Take back acceptance"),
    "canonical": _l("Choose as curated answer"),
    "uncanonical": _l("Remove as curated answer"),
    "delete": _l("Delete"),
    "undelete": _l("Undelete"),
    "approve": _l("Approve"),
    "waiting": _l("Waiting for approval"),
    "curated": _l("The community's curated answer"),
    "accepted": _l("Accepted by the asker"),
    "by_expert": _l("Answered by an expert"),
    "vote_up": _l("Vote up"),
    "vote_down": _l("Vote down"),
    "report": _l("Report"),
    "reason": _l("Reason"),
    "note": _l("Note for the moderators"),
}


class Labels:
    """One language's labels, as attributes (`label.report`) and by name (`label["closed"]`).

    Templates read them on every row; attributes are found at once, where a dict's keys are
    looked up by Jinja only after an attribute lookup has failed.
    """

    def __init__(self, texts: dict[str, str]) -> None:
        self.__dict__.update(texts)

    def __getitem__(self, name: str) -> str:
        return self.__dict__[name]


TRANSLATED: dict[str, Labels] = {}

# The word under a row's count: "1 vote", "2 votes" ("1 票" in Chinese, which has one form).
COUNT_WORDS = {
    "votes": lambda number: ngettext("vote", "votes", number),
    "answers": lambda number: ngettext("answer", "answers", number),
}
WORDS_BY_FORM: dict[tuple[str, str, str], str] = {}


def qa_labels() -> Labels:
    """The labels in the request's language, translated once per language and process."""
    key = str(get_locale())
    if key not in TRANSLATED:
        TRANSLATED[key] = Labels({name: str(text) for name, text in LABELS.items()})
    return TRANSLATED[key]


def count_word(kind: str, number: int) -> str:
    """The word for `number` of `kind` ("votes", "answers") in the request's language, looked
    up once per language and plural form."""
    locale = get_locale()
    key = (str(locale), kind, locale.plural_form(number))
    word = WORDS_BY_FORM.get(key)
    if word is None:
        word = WORDS_BY_FORM[key] = COUNT_WORDS[kind](number)
    return word


def short_date(moment: datetime) -> str:
    """`moment` as the viewer's medium date (2026年11月25日), formatted once per day shown."""
    if "qa_dates" not in g:
        locale = get_locale()
        g.qa_dates = ({}, locale.date_formats["medium"], locale, get_timezone())
    formatted, pattern, locale, timezone = g.qa_dates
    local = moment.astimezone(timezone)
    day = local.date()
    if day not in formatted:
        formatted[day] = pattern.apply(local, locale)
    return formatted[day]


@dataclass(frozen=True, slots=True)
class AnswerLinks:
    vote: str
    accept: str
    edit: str
    comment: str
    flag: str


def answer_links(question_id: int, answers) -> dict[int, AnswerLinks]:
    """Every answer's addresses on a question page, built in one call: the page's loop over the
    answers then only looks them up."""
    vote, accept, edit = (
        url_with_id(endpoint, "answer_id")
        for endpoint in ("qa.vote_answer", "qa.accept", "qa.edit_answer")
    )
    comment = url_with_id("qa.comment", "answer_id", question_id=question_id)
    flag = url_with_id("qa.flag", "answer_id", question_id=question_id)
    return {
        answer.id: AnswerLinks(
            vote(answer.id), accept(answer.id), edit(answer.id), comment(answer.id), flag(answer.id)
        )
        for answer in answers
    }


def question_url(question_id: int) -> str:
    """The question page's address; the route is built once per request."""
    if "qa_question_url" not in g:
        g.qa_question_url = url_with_id("qa.show", "question_id")
    return g.qa_question_url(question_id)


def tag_url(name: str) -> str:
    """A tag's page; each tag's address is built once per request, however many rows show it."""
    urls = g.setdefault("qa_tag_urls", {})
    if name not in urls:
        urls[name] = url_for("qa.tag", name=name)
    return urls[name]
