"""In-app notifications and their email: a daily or weekly digest, or one mail each."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import joinedload

from community.accounts import session_values
from community.accounts.mail_choices import register_mail_kind, unsubscribe_url
from community.accounts.models import User
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.mail import send_email
from community.qa.models import (
    Notification,
    NotificationSettings,
    Question,
    TagFollow,
)
from community.site_links import site_url

log = logging.getLogger(__name__)

# How often a member's pending notifications are mailed; "each" mails every one on its own.
DIGESTS = {
    "each": timedelta(0),
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
    "off": None,
}
DEFAULT_DIGEST = "weekly"
KINDS = {
    "answer": _l("New answer to your question"),
    "comment": _l("New comment on your post"),
    "accepted": _l("Your answer was accepted"),
    "canonical": _l("Your answer was chosen as the curated answer"),
    "tag_question": _l("New question in a tag you follow"),
}


def notify(user_id: int, kind: str, question: Question, actor) -> None:
    """Tell `user_id` about `kind` on `question`, unless they did it themselves."""
    if actor is not None and actor.id == user_id:
        return
    db.session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            question_id=question.id,
            actor_id=getattr(actor, "id", None),
        )
    )


def register_kind(kind: str, label) -> None:
    """Another domain's kind of notification (its items carry a subject and a site path)."""
    KINDS[kind] = label


def notify_about(user_id: int, kind: str, subject: str, path: str) -> Notification:
    """Tell `user_id` about something outside the Q&A: `subject` names it, `path` leads to it."""
    notification = Notification(user_id=user_id, kind=kind, subject=subject[:200], path=path)
    db.session.add(notification)
    return notification


def announce_answer(answer, question: Question) -> None:
    notify(question.author_id, "answer", question, answer.author)


def announce_question(question: Question) -> None:
    """One notification per follower of any of the question's tags (not the asker)."""
    tag_ids = [tag.id for tag in question.tags]
    if not tag_ids:
        return
    followers = set(
        db.session.scalars(select(TagFollow.user_id).where(TagFollow.tag_id.in_(tag_ids)))
    )
    followers.discard(question.author_id)
    if followers:
        db.session.execute(
            insert(Notification),
            [
                {
                    "user_id": user_id,
                    "kind": "tag_question",
                    "question_id": question.id,
                    "actor_id": question.author_id,
                    "created_at": utcnow(),
                }
                for user_id in sorted(followers)
            ],
        )


UNREAD = select(func.count(Notification.id)).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
)


def unread_of_session_user():
    """The bell's count, correlated on the user, loaded with every session (session_values)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


session_values.register("qa_unread", unread_of_session_user)


def unread_count(user_id: int) -> int:
    """The bell's number, asked on every page a signed-in user opens: one prepared statement."""
    return db.session.scalar(UNREAD, {"user_id": user_id})


def bell_count(user) -> int:
    """The header bell's number for `user` (0 for visitors), as loaded with the session."""
    if not getattr(user, "is_authenticated", False):
        return 0
    count = session_values.value(user.id, "qa_unread")
    return unread_count(user.id) if count is session_values.MISSING else count


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .options(joinedload(Notification.question), joinedload(Notification.actor))
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    session_values.forget("qa_unread")
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def digest_choice(user_id: int) -> str:
    row = db.session.get(NotificationSettings, user_id)
    return row.digest if row else DEFAULT_DIGEST


def choose_digest(user, choice: str) -> None:
    if choice not in DIGESTS:
        raise ValidationFailed(
            [("digest", str(_l("Choose one email each, daily, weekly or off.")))]
        )
    row = db.session.get(NotificationSettings, user.id) or NotificationSettings(user_id=user.id)
    row.digest = choice
    db.session.add(row)


def question_link(question_id: int) -> str:
    """An absolute link for emails, under SITE_URL whether or not a request is sending them."""
    return site_url("qa.show", question_id=question_id)


def notification_link(item: Notification) -> str:
    """Where an item leads, absolute under SITE_URL (for emails)."""
    if item.question_id is not None:
        return question_link(item.question_id)
    site = urlsplit(current_app.config["SITE_URL"])
    return f"{site.scheme}://{site.netloc}{item.path}"


def send_digests(now: datetime | None = None) -> int:
    """Email each member whose mail is due the notifications not yet mailed; returns mails sent.

    Members who chose "each" get one mail per notification, the others one digest when their
    day or week has passed. Each mail is committed on its own before it is sent, so a second
    run (or a crash halfway) never sends the same notification twice. Run it every few minutes.
    """
    now = now or utcnow()
    user_ids = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.emailed_at.is_(None))
        .group_by(Notification.user_id)
        .order_by(Notification.user_id)
    ).all()
    sent = 0
    for user_id in user_ids:
        settings = db.session.get(NotificationSettings, user_id) or NotificationSettings(
            user_id=user_id, digest=DEFAULT_DIGEST
        )
        every = DIGESTS.get(settings.digest)
        if every is None or (settings.last_digest_at and now - settings.last_digest_at < every):
            continue
        items = db.session.scalars(
            select(Notification)
            .options(joinedload(Notification.question))
            .where(Notification.user_id == user_id, Notification.emailed_at.is_(None))
            .order_by(Notification.id)
        ).all()
        user = db.session.get(User, user_id)
        batches = [[item] for item in items] if settings.digest == "each" else [items]
        for batch in batches:
            mail_notifications(user, settings, batch, now)
            sent += 1
    log.info("sent %d notification mail(s)", sent)
    return sent


def mail_notifications(user: User, settings: NotificationSettings, items: list, now) -> None:
    """One mail about `items`: marked as mailed and committed first, then sent."""
    # Kinds stay keys here: the mail renders their labels in the member's language.
    lines = [(item.kind, item.title, notification_link(item)) for item in items]
    for item in items:
        item.emailed_at = now
    settings.last_digest_at = now
    db.session.add(settings)
    db.session.commit()
    single = len(items) == 1 and settings.digest == "each"
    send_email(
        user.email,
        KINDS.get(items[0].kind, _l("Your community digest"))
        if single
        else _l("Your community digest"),
        "qa_digest",
        locale=user.locale,
        unsubscribe=unsubscribe_url(user, MAIL_KIND),
        user=user,
        lines=lines,
        kinds=KINDS,
        single=single,
        settings_link=site_url("qa.inbox"),
    )


def notification_mail_on(user) -> bool:
    return digest_choice(user.id) != "off"


def turn_notification_mail(user, on: bool) -> None:
    choose_digest(user, DEFAULT_DIGEST if on else "off")


MAIL_KIND = "qa_notifications"
register_mail_kind(
    MAIL_KIND, _l("Notification emails"), notification_mail_on, turn_notification_mail
)
