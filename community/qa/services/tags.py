"""Tags: how a typed tag becomes a row, and the operator's rename, merge and alias."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from community.clock import utcnow
from community.database import insert_unless_present
from community.errors import ValidationFailed
from community.extensions import db
from community.qa.access import require_operator
from community.qa.models import Question, Tag, TagAlias, TagFollow, question_tags
from community.qa.services.log import log_action

MIN_TAGS, MAX_TAGS = 1, 5
TAG_MAX = 30
TAG_RE = re.compile(r"^[\w.+#-]+$")


def normalize_tag(raw: str) -> str:
    """Fold full-width forms and case, join inner spaces with '-'; raise when unusable."""
    name = "-".join(unicodedata.normalize("NFKC", raw or "").lower().split())
    if not name:
        raise ValidationFailed([("tags", str(_l("A tag cannot be empty.")))])
    if len(name) > TAG_MAX or not TAG_RE.match(name):
        raise ValidationFailed(
            [
                (
                    "tags",
                    str(
                        _l(
                            "Tags use letters, digits and - + . # only, up to %(max)d characters.",
                            max=TAG_MAX,
                        )
                    ),
                )
            ]
        )
    return name


def split_tags(raw: str | list[str]) -> list[str]:
    """Tags typed as one string (spaces, commas, 、 or ，) or given as a list, de-duplicated."""
    parts = raw if isinstance(raw, list) else re.split(r"[\s,，、;；]+", raw or "")
    names: list[str] = []
    for part in parts:
        if not isinstance(part, str) or not part.strip():
            continue
        name = normalize_tag(part)
        if name not in names:
            names.append(name)
    if not MIN_TAGS <= len(names) <= MAX_TAGS:
        raise ValidationFailed(
            [("tags", str(_l("Give %(min)d to %(max)d tags.", min=MIN_TAGS, max=MAX_TAGS)))]
        )
    return names


def tag_named(name: str) -> Tag | None:
    """The tag called `name` or aliased as `name`."""
    tag = db.session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        tag = db.session.scalar(select(Tag).join(TagAlias).where(TagAlias.name == name))
    return tag


def resolve_tags(raw: str | list[str]) -> list[Tag]:
    """Turn typed tags into rows, following aliases and creating new tags as needed."""
    names = split_tags(raw)
    rows = tags_named(names)
    return list(dict.fromkeys(rows[name] for name in names))


def tags_named(names) -> dict[str, Tag]:
    """The tag row of each normalized name (an alias names its tag), new tags created; a few
    statements for any number of names (an import resolves hundreds)."""
    names = set(names)
    found = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    aliased = db.session.execute(
        select(TagAlias.name, Tag).join(Tag).where(TagAlias.name.in_(names - set(found)))
    ).all()
    found.update(dict(aliased))
    missing = sorted(names - set(found))
    for name in missing:
        # Two members may bring in the same new tag at the same moment.
        insert_unless_present(db.session, Tag, {"name": name, "created_at": utcnow()}, ["name"])
    if missing:
        found.update(
            (tag.name, tag) for tag in db.session.scalars(select(Tag).where(Tag.name.in_(missing)))
        )
    return found


def tags_with_counts(limit: int = 200) -> list[tuple[Tag, int]]:
    count = func.count(question_tags.c.question_id)
    rows = db.session.execute(
        select(Tag, count)
        .outerjoin(question_tags, question_tags.c.tag_id == Tag.id)
        .outerjoin(Question, Question.id == question_tags.c.question_id)
        .where(Question.deleted_at.is_(None), Question.duplicate_of_id.is_(None))
        .group_by(Tag.id)
        .order_by(count.desc(), Tag.name)
        .limit(limit)
    ).all()
    return [(tag, number) for tag, number in rows]


def name_is_free(name: str, keep: Tag | None = None) -> None:
    existing = tag_named(name)
    if existing is not None and existing is not keep:
        raise ValidationFailed([("name", str(_l("That name is already a tag or an alias.")))])


def rename_tag(actor, tag: Tag, new_name: str) -> Tag:
    """Give a tag a new name; the old one stays as an alias so links and habits still work."""
    require_operator(actor)
    name = normalize_tag(new_name)
    if name == tag.name:
        return tag
    name_is_free(name, keep=tag)
    old = tag.name
    db.session.execute(delete(TagAlias).where(TagAlias.name == name))
    tag.name = name
    db.session.add(TagAlias(name=old, tag_id=tag.id))
    log_action(actor, "tag_rename", note=f"{old} -> {name}")
    db.session.flush()
    notify_tagged(tag.id, "tags")
    return tag


def notify_tagged(tag_id: int, reason: str) -> None:
    """Tell search that every question carrying the tag changed."""
    from community.qa.indexing import notify_changed

    question_ids = select(question_tags.c.question_id).where(question_tags.c.tag_id == tag_id)
    for question in db.session.scalars(select(Question).where(Question.id.in_(question_ids))):
        notify_changed(question, reason)


def alias_tag(actor, tag: Tag, alias: str) -> TagAlias:
    require_operator(actor)
    name = normalize_tag(alias)
    name_is_free(name)
    row = TagAlias(name=name, tag_id=tag.id)
    db.session.add(row)
    log_action(actor, "tag_alias", note=f"{name} -> {tag.name}")
    db.session.flush()
    return row


def merge_tags(actor, source: Tag, target: Tag) -> Tag:
    """Move every question and follower of `source` to `target`; its name becomes an alias."""
    require_operator(actor)
    if source.id == target.id:
        raise ValidationFailed([("target", str(_l("A tag cannot be merged into itself.")))])
    question_ids = list(
        db.session.scalars(
            select(question_tags.c.question_id).where(question_tags.c.tag_id == source.id)
        )
    )
    already = set(
        db.session.scalars(
            select(question_tags.c.question_id).where(
                question_tags.c.tag_id == target.id, question_tags.c.question_id.in_(question_ids)
            )
        )
    )
    moving = [qid for qid in question_ids if qid not in already]
    if moving:
        db.session.execute(
            insert(question_tags), [{"question_id": qid, "tag_id": target.id} for qid in moving]
        )
    followers = set(
        db.session.scalars(select(TagFollow.user_id).where(TagFollow.tag_id == target.id))
    )
    for follow in db.session.scalars(select(TagFollow).where(TagFollow.tag_id == source.id)):
        if follow.user_id not in followers:
            db.session.add(TagFollow(user_id=follow.user_id, tag_id=target.id))
    for alias in list(source.aliases):
        alias.tag_id = target.id
    name = source.name
    db.session.delete(source)
    db.session.flush()
    db.session.add(TagAlias(name=name, tag_id=target.id))
    log_action(actor, "tag_merge", note=f"{name} -> {target.name}")
    db.session.flush()
    db.session.expire_all()
    notify_tagged(target.id, "tags")
    return target
