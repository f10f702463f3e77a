"""Tips (爆料): members send items, operators complete and publish them or turn them down."""

from __future__ import annotations

import threading

import pytest

from community.deals import tips
from community.deals.member_models import PENDING, PUBLISHED, REJECTED, DealTip
from community.deals.models import Deal
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa.models import Notification
from tests.billing.test_concurrent_requests import TIMES, signed_in
from tests.helpers import post_form

ITEM = "https://item.jd.com/100099887766.html"
TIP = {"url": ITEM, "title": "罗技 MX Master 3S 鼠标", "price": "499", "reason": "比平时便宜100元"}


def tip_row(**changes) -> dict:
    return {**TIP, **changes}


def test_a_member_tips_a_deal_and_sees_it_waiting(client, login, member):
    login(client, member)
    answer = post_form(client, "/deals/tips/new", tip_row())
    assert answer.status_code == 303
    [tip] = db.session.query(DealTip).all()
    assert (tip.user_id, tip.status, tip.price, tip.pending_key) == (
        member.id,
        PENDING,
        49900,
        "jd:100099887766",
    )
    page = client.get("/deals/tips").get_data(as_text=True)
    assert "罗技 MX Master 3S 鼠标" in page and 'data-testid="my-tip"' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.com/item"}, "url"),
        ({"url": "https://user@evil.example/x"}, "url"),
        ({"url": "https://item.jd.com/1 2"}, "url"),
        ({"url": ""}, "url"),
        ({"title": "   "}, "title"),
        ({"price": "很便宜"}, "price"),
        ({"price": "-5"}, "price"),
        ({"reason": ""}, "reason"),
        ({"reason": "好" * 1001}, "reason"),
    ],
)
def test_bad_tips_are_refused_with_the_field_and_a_reason(client, login, member, changes, field):
    login(client, member)
    answer = post_form(client, "/deals/tips/new", tip_row(**changes))
    assert answer.status_code == 422
    assert 'class="error"' in answer.get_data(as_text=True)
    with pytest.raises(ValidationFailed) as refused:
        tips.submit_tip(member, **tip_row(**changes))
    assert field in [name for name, _reason in refused.value.errors]
    assert db.session.query(DealTip).count() == 0


def test_an_item_already_live_or_already_tipped_is_refused(member, mallory, make_deal):
    tips.submit_tip(member, **tip_row())
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        tips.submit_tip(mallory, **tip_row(url="https://ITEM.jd.com/100099887766.html"))
    assert refused.value.errors[0][0] == "url"
    live = make_deal(url="https://union-click.jd.com/jdc?sku=100042424242&subUnionId={sub_id}")
    # The shop's own page of the item a live deal's affiliate link names, tracking and all.
    with pytest.raises(ValidationFailed) as refused:
        tips.submit_tip(
            mallory, **tip_row(url="https://item.m.jd.com/product/100042424242.html?utm_source=x")
        )
    assert refused.value.errors[0][0] == "url"
    assert live.item_key == "jd:100042424242"


def test_six_members_tipping_one_item_at_once_make_one_tip(live_server, make_user):
    """Real threads against a real server: the check before the insert may miss a rival's
    tip written at the same moment; the unique key does not, and the losers are told why."""
    members = [make_user(tier="member") for _ in range(TIMES)]
    sessions = [signed_in(live_server, user) for user in members]
    start = threading.Barrier(TIMES)
    codes = [0] * TIMES

    def send(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        answer = session.post(
            f"{live_server}/deals/tips/new",
            data={"csrf_token": token, **tip_row()},
            allow_redirects=False,
        )
        codes[index] = answer.status_code

    threads = [threading.Thread(target=send, args=(index,)) for index in range(TIMES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [303] + [422] * (TIMES - 1)
    db.session.expire_all()
    assert db.session.query(DealTip).count() == 1


def test_free_users_and_visitors_cannot_tip(client, login, free_user):
    assert client.get("/deals/tips/new").status_code == 302
    login(client, free_user)
    assert client.get("/deals/tips/new").status_code == 403
    with pytest.raises(NotAllowed):
        tips.submit_tip(free_user, **tip_row())


def test_a_flood_of_tips_is_refused(member):
    for n in range(tips.MAX_WAITING):
        tips.submit_tip(member, **tip_row(url=f"https://item.jd.com/{n}.html"))
    with pytest.raises(ValidationFailed) as refused:
        tips.submit_tip(member, **tip_row(url="https://item.jd.com/999.html"))
    assert refused.value.errors[0][0] is None


def test_an_operator_completes_and_publishes_a_tip_that_credits_the_member(
    client, login, member, operator
):
    tip = tips.submit_tip(member, **tip_row())
    db.session.commit()
    login(client, operator)
    queue = client.get("/operator/deals/tips").get_data(as_text=True)
    assert "罗技 MX Master 3S 鼠标" in queue
    review = f"/operator/deals/tips/{tip.id}"
    assert ITEM in client.get(review).get_data(as_text=True)
    completed = {
        "title": "罗技 MX Master 3S 无线鼠标",
        "platform": "jd",
        "url": "https://union-click.jd.com/jdc?sku=100099887766&subUnionId={sub_id}",
        "price": "499",
        "list_price": "599",
        "commission_rate": "6",
        "category": "数码",
    }
    answer = post_form(client, review, completed)
    assert answer.status_code == 303
    db.session.expire_all()
    tip = db.session.get(DealTip, tip.id)
    deal = db.session.get(Deal, tip.deal_id)
    assert (tip.status, tip.pending_key, deal.tipped_by_id) == (PUBLISHED, None, member.id)
    assert (deal.commission_rate, deal.state_at(deal.starts_at)) == (600, "live")
    login(client, member)
    assert member.name in client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "罗技 MX Master 3S 无线鼠标" in client.get("/deals/").get_data(as_text=True)
    notice = db.session.query(Notification).filter_by(user_id=member.id).one()
    assert (notice.kind, notice.path) == ("deal_tip_published", f"/deals/{deal.id}")


def test_a_tip_completed_badly_is_shown_again_with_the_reasons(client, login, member, operator):
    tip = tips.submit_tip(member, **tip_row())
    db.session.commit()
    login(client, operator)
    review = f"/operator/deals/tips/{tip.id}"
    answer = post_form(
        client, review, {"title": "鼠标", "platform": "jd", "url": ITEM, "price": "4"}
    )
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(DealTip, tip.id).status == PENDING
    assert db.session.query(Deal).count() == 0


def test_a_tip_turned_down_shows_the_member_why(client, login, member, operator):
    tip = tips.submit_tip(member, **tip_row())
    db.session.commit()
    login(client, operator)
    review = f"/operator/deals/tips/{tip.id}"
    empty = post_form(client, f"{review}/reject", {"note": " "}, review)
    assert empty.status_code == 303
    assert db.session.get(DealTip, tip.id).status == PENDING
    post_form(client, f"{review}/reject", {"note": "这个价格上周就有了"}, review)
    db.session.expire_all()
    tip = db.session.get(DealTip, tip.id)
    assert (tip.status, tip.pending_key) == (REJECTED, None)
    login(client, member)
    assert "这个价格上周就有了" in client.get("/deals/tips").get_data(as_text=True)
    again = tips.submit_tip(member, **tip_row())
    assert again.status == PENDING


def test_a_tip_is_reviewed_once(member, operator):
    tip = tips.submit_tip(member, **tip_row())
    db.session.commit()
    tips.reject_tip(operator, tip, "重复")
    with pytest.raises(NotAllowed):
        tips.reject_tip(operator, tip, "再拒一次")
    with pytest.raises(NotAllowed):
        tips.publish_tip(member, tip, {})


def test_members_cannot_open_the_review_queue(client, login, member):
    login(client, member)
    assert client.get("/operator/deals/tips").status_code == 403
