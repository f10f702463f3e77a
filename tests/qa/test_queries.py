"""Query counts are pinned: pages cost the same number of statements at any size."""

from __future__ import annotations

from sqlalchemy import insert

from community.clock import utcnow
from community.extensions import db
from community.qa.models import Answer, Comment, Vote
from community.qa.services import questions as question_service


def add_answers(question, authors, count: int) -> None:
    """Bulk rows (with comments and the reader's votes) so the fixture stays fast."""
    now = utcnow()
    rows = [
        {
            "question_id": question.id,
            "author_id": authors[n % len(authors)].id,
            "body": f"回答{n}",
            "body_html": f"<p>回答{n}</p>",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Answer), rows)
    answer_ids = [
        a.id for a in db.session.scalars(db.select(Answer).where(Answer.question_id == question.id))
    ]
    db.session.execute(
        insert(Comment),
        [
            {
                "question_id": question.id,
                "answer_id": aid,
                "author_id": authors[0].id,
                "body": "评论",
                "created_at": now,
            }
            for aid in answer_ids
        ],
    )
    db.session.execute(
        insert(Vote),
        [{"user_id": authors[-1].id, "answer_id": aid, "value": 1} for aid in answer_ids],
    )
    question_service.refresh_counts(question)
    db.session.commit()


def statements_for(client, count_queries, url: str) -> int:
    client.get(url)  # warm caches (tiers, compiled templates)
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_question_page_costs_the_same_with_5_and_100_answers(
    client, login, make_user, make_question, count_queries
):
    authors = [make_user(tier="member") for _ in range(4)]
    small, large = make_question(), make_question()
    add_answers(small, authors, 5)
    add_answers(large, authors, 100)
    login(client, authors[-1])
    few = statements_for(client, count_queries, f"/qa/{small.id}")
    many = statements_for(client, count_queries, f"/qa/{large.id}")
    assert few == many, (few, many)
    # An answerer's page is rendered for them: the user (with their tier), the question's row
    # with their votes and follow, the question with its author, its tags, the answers and the
    # comments with their authors' names.
    assert many <= 6


def test_lists_cost_the_same_with_few_and_many_questions(
    client, login, make_user, make_question, count_queries
):
    reader = make_user(tier="member")
    authors = [make_user(tier="member") for _ in range(5)]
    login(client, reader)
    for n in range(3):
        make_question(author=authors[n], tags=f"标签{n} 共同")
    counts_few = {
        url: statements_for(client, count_queries, url)
        for url in ("/qa/", "/qa/hot", "/qa/unanswered", "/qa/tags/共同")
    }
    for n in range(30):
        make_question(author=authors[n % 5], tags=f"标签{n} 共同 其他{n % 3}")
    counts_many = {url: statements_for(client, count_queries, url) for url in counts_few}
    assert counts_few == counts_many
    # The user (with the bell, the tier they hold and their feed token), the rows' versions;
    # a tag page also finds the tag and whether they follow it.
    assert counts_many == {"/qa/": 2, "/qa/hot": 2, "/qa/unanswered": 2, "/qa/tags/共同": 4}


def test_a_readers_question_page_costs_two_statements_at_any_size(
    client, login, make_user, make_question, count_queries
):
    """A member who neither asked nor answered is served the shared rendering, filled in:
    the user (with the bell's count and the tier they hold), and the question's own row with
    their votes and follow in the same statement."""
    authors = [make_user(tier="member") for _ in range(4)]
    small, large = make_question(), make_question()
    add_answers(small, authors, 5)
    add_answers(large, authors, 100)
    login(client, make_user(tier="member"))
    few = statements_for(client, count_queries, f"/qa/{small.id}")
    many = statements_for(client, count_queries, f"/qa/{large.id}")
    assert few == many == 2, (few, many)
