"""Q&A models, one module per concern; importing this package registers them all."""

from community.qa.models.answer import Answer, Comment, Vote
from community.qa.models.community import (
    Expert,
    Flag,
    ModerationAction,
    Notification,
    NotificationSettings,
    QaSetting,
    QuestionFollow,
    TagFollow,
)
from community.qa.models.question import (
    Question,
    QuestionAlias,
    QuestionStatus,
    Revision,
    Tag,
    TagAlias,
    question_tags,
)

__all__ = [
    "Answer",
    "Comment",
    "Expert",
    "Flag",
    "ModerationAction",
    "Notification",
    "NotificationSettings",
    "QaSetting",
    "Question",
    "QuestionAlias",
    "QuestionFollow",
    "QuestionStatus",
    "Revision",
    "Tag",
    "TagAlias",
    "TagFollow",
    "Vote",
    "question_tags",
]
