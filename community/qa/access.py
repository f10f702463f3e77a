"""Who may read and do what in the Q&A: the paywall and the participation rules in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from community.errors import NotAllowed
from community.membership.entitlements import is_member, may

VISITOR, FREE, MEMBER = "visitor", "free", "member"
PREVIEW_MODES = (VISITOR, FREE, MEMBER)


@dataclass(frozen=True)
class Viewer:
    """The person looking at a page, or the role an operator previews it as."""

    user: object | None
    reads_answers: bool
    is_operator: bool = False
    preview: str | None = None

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "id", None)

    def may_read(self, question) -> bool:
        """Answers, comments and the full body: members, staff, or anyone for public entries."""
        return question.public or self.reads_answers

    def sees(self, post) -> bool:
        """Whether a question or answer is there at all for this viewer (see `post_shown`)."""
        return post_shown(post, self.user_id, self.is_operator)


class PostMissing(LookupError):
    """A post that is not there for the acting person: deleted, waiting or unknown (404)."""


def post_shown(post, user_id: int | None, staff: bool) -> bool:
    """Operators see every question and answer; others see live, approved ones and their own
    waiting ones. Pages and every action on a post (comment, vote, flag) follow this rule."""
    if staff:
        return True
    return post.deleted_at is None and (
        post.approved or (user_id is not None and post.author_id == user_id)
    )


def require_shown(user, *posts) -> None:
    """Raise PostMissing unless every post given (None is skipped) is there for `user`."""
    user_id = getattr(user, "id", None)
    staff = getattr(user, "is_operator", False)
    if not all(post_shown(post, user_id, staff) for post in posts if post is not None):
        raise PostMissing


class AnyMember:
    """Every member who neither asked nor answered a question: whom shared renderings are for."""

    id = 0
    is_authenticated = True
    is_operator = False


ANY_MEMBER = Viewer(user=AnyMember(), reads_answers=True)
# Someone not signed in: what this one may read is open to everyone.
ANYONE = Viewer(user=None, reads_answers=False)


def viewer_for(user, preview: str | None = None) -> Viewer:
    """The viewer a request stands for; operators may ask to see the page as someone else."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    operator = signed_in and user.is_operator
    if operator and preview in PREVIEW_MODES:
        return Viewer(
            user=None if preview == VISITOR else user,
            reads_answers=preview == MEMBER,
            preview=preview,
        )
    if not signed_in:
        return ANYONE
    return Viewer(user=user, reads_answers=may(user, "read_answers"), is_operator=operator)


def require_member(user) -> None:
    """Asking, answering, commenting, voting, flagging and following are for members."""
    if user is None or not getattr(user, "is_authenticated", False) or not is_member(user):
        raise NotAllowed(str(_l("This is for members. Join to unlock it.")))


def require_operator(user) -> None:
    if user is None or not getattr(user, "is_operator", False):
        raise NotAllowed(str(_l("Operators only.")))
