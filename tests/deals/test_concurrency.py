"""Members at the same moment against a real server: every go-link click recorded, every 值/不值
vote counted once, whatever arrives together."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from sqlalchemy import func, select

from community.deals.models import DealClick, DealVote
from community.extensions import db
from tests.core.test_database_outage import session_cookie
from tests.helpers import run_together

MEMBERS = 8
CLICKS_EACH = 6


def cookie_header(app, user) -> str:
    return "; ".join(f"{name}={value}" for name, value in session_cookie(app, user).items())


def request(base: str, method: str, path: str, cookie: str, body: str = "") -> tuple[int, str]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.getheader("Location") or ""


def test_simultaneous_go_links_each_record_one_click(app, live_server, make_user, make_deal):
    app.config["WTF_CSRF_ENABLED"] = False
    deal = make_deal()
    go = f"/go/{deal.id}"
    cookies = [cookie_header(app, make_user(tier="member")) for _ in range(MEMBERS)]
    answers: list[tuple[int, str]] = []

    def click(index: int) -> None:
        for _ in range(CLICKS_EACH):
            answers.append(request(live_server, "GET", go, cookies[index]))

    assert run_together(click, MEMBERS) == []
    assert len(answers) == MEMBERS * CLICKS_EACH
    assert all(status == 302 and "union-click.jd.com" in where for status, where in answers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DealClick.id))) == MEMBERS * CLICKS_EACH
    per_member = db.session.execute(
        select(DealClick.user_id, func.count(DealClick.id)).group_by(DealClick.user_id)
    ).all()
    assert sorted(count for _user, count in per_member) == [CLICKS_EACH] * MEMBERS


def test_simultaneous_votes_count_each_member_once(app, live_server, make_user, make_deal):
    app.config["WTF_CSRF_ENABLED"] = False
    deal = make_deal()
    url = f"/deals/{deal.id}/vote"
    cookies = [cookie_header(app, make_user(tier="member")) for _ in range(MEMBERS)]

    def vote(index: int) -> None:
        # Each member votes three times: 值, 不值, then 值 again (even members) or 不值 (odd).
        choices = ["worth", "unworth", "worth" if index % 2 == 0 else "unworth"]
        for choice in choices:
            status, _ = request(live_server, "POST", url, cookies[index], f"vote={choice}")
            assert status == 303, status

    assert run_together(vote, MEMBERS) == []
    db.session.expire_all()
    db.session.refresh(deal)
    worth = db.session.scalar(select(func.count()).where(DealVote.worth.is_(True)))
    assert (deal.worth_votes, deal.unworth_votes) == (MEMBERS // 2, MEMBERS // 2)
    assert worth == MEMBERS // 2
