"""Keyword alerts: a deal that goes live tells each matching member once, in the bell and by
the mail they chose, however often (or however many at once) the job runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.clock import utcnow
from community.deals import alerts
from community.deals.member_models import DealAlertHit, DealAlertScan
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.qa.models import Notification
from community.qa.services import notifications
from tests.helpers import post_form, run_together


def notices(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_a_matching_deal_going_live_tells_the_member_once(member, make_deal, outbox):
    alerts.save_alert(member, "蓝牙 耳机", None, "", "now")
    db.session.commit()
    deal = make_deal(title="索尼蓝牙降噪耳机 WH-1000XM5")
    make_deal(title="小米电饭煲", tags="厨房", category="家电")
    first = alerts.send_alerts()
    assert (first.deals, first.hits, first.mails) == (2, 1, 1)
    for _ in range(3):
        again = alerts.send_alerts()
        assert (again.deals, again.hits, again.mails) == (0, 0, 0)
    [notice] = notices(member)
    assert (notice.kind, notice.subject, notice.path) == (
        "deal_alert",
        deal.title,
        f"/deals/{deal.id}",
    )
    [mail] = outbox()
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == member.email and deal.title in body and f"/deals/{deal.id}" in body
    assert "¥189" in body


def test_a_scheduled_deal_alerts_when_its_start_is_reached(member, make_deal, hours):
    alerts.save_alert(member, "耳机", None, "", "none")
    db.session.commit()
    deal = make_deal(starts_at=hours(2))
    assert alerts.send_alerts().hits == 0
    assert alerts.send_alerts(utcnow() + timedelta(hours=3)).hits == 1
    assert [notice.path for notice in notices(member)] == [f"/deals/{deal.id}"]


def test_platform_price_and_all_keywords_must_match(member, make_deal):
    alerts.save_alert(member, "降噪 耳机", "jd", "200", "none")
    db.session.commit()
    make_deal(title="降噪耳机", price="199.00")
    make_deal(title="降噪耳机 贵的", price="299.00")
    make_deal(title="耳机 普通款", price="99.00")
    make_deal(
        title="降噪耳机 拼多多",
        platform="pdd",
        url="https://mobile.yangkeduo.com/goods.html?goods_id=7&uid={sub_id}",
    )
    assert alerts.send_alerts().hits == 1
    assert [notice.subject for notice in notices(member)] == ["降噪耳机"]


def test_traditional_keywords_find_simplified_titles(member, make_deal):
    alerts.save_alert(member, "藍牙耳機", None, "", "none")
    db.session.commit()
    make_deal(title="华为蓝牙耳机 FreeBuds")
    assert alerts.send_alerts().hits == 1


def test_two_alerts_matching_one_deal_tell_the_member_once(member, make_deal):
    alerts.save_alert(member, "耳机", None, "", "now")
    alerts.save_alert(member, "蓝牙", None, "", "now")
    db.session.commit()
    make_deal(title="蓝牙耳机")
    assert alerts.send_alerts().hits == 1
    assert db.session.scalar(select(func.count(DealAlertHit.id))) == 1


def test_deals_live_before_the_job_first_looked_are_not_alerted_twice(member, make_deal):
    make_deal(title="蓝牙耳机 旧款")
    alerts.send_alerts()
    alerts.save_alert(member, "耳机", None, "", "none")
    db.session.commit()
    assert alerts.send_alerts().hits == 0
    make_deal(title="蓝牙耳机 新款")
    assert alerts.send_alerts().hits == 1


def test_a_lapsed_member_hears_nothing(member, make_deal, outbox):
    alerts.save_alert(member, "耳机", None, "", "now")
    db.session.execute(
        MembershipPeriod.__table__.update()
        .where(MembershipPeriod.user_id == member.id)
        .values(ends_at=utcnow() - timedelta(days=1), starts_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()
    make_deal(title="蓝牙耳机")
    assert alerts.send_alerts().hits == 0
    assert notices(member) == [] and outbox() == []


def test_digest_alerts_go_out_with_flask_qa_send_digests(member, make_deal, outbox, runner):
    alerts.save_alert(member, "耳机", None, "", "digest")
    notifications.choose_digest(member, "daily")
    db.session.commit()
    deal = make_deal(title="蓝牙耳机 日报款")
    result = runner.invoke(args=["deals", "send-alerts"])
    assert result.exit_code == 0, result.output
    assert "1 alert(s), 0 mail(s)" in result.output
    assert outbox() == []
    result = runner.invoke(args=["qa", "send-digests"])
    assert result.exit_code == 0, result.output
    [mail] = outbox()
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert deal.title in body and f"/deals/{deal.id}" in body
    runner.invoke(args=["qa", "send-digests"])
    assert len(outbox()) == 1


def test_simultaneous_runs_tell_each_member_once(app, make_user, make_deal):
    """Real threads, each with its own app context and database session, all running the job."""
    members = [make_user(tier="member") for _ in range(4)]
    for user in members:
        alerts.save_alert(user, "耳机", None, "", "none")
    db.session.commit()
    for n in range(5):
        make_deal(title=f"蓝牙耳机 {n}")
    failures = run_together(lambda _n: alerts.send_alerts(), 4, app)
    assert failures == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DealAlertHit.id))) == 20
    assert db.session.scalar(select(func.count(Notification.id))) == 20
    assert db.session.scalar(select(func.count(DealAlertScan.deal_id))) == 5


@pytest.mark.parametrize(
    ("keywords", "platform", "max_price", "delivery", "field"),
    [
        ("", None, "", "now", "keywords"),
        ("耳" * 101, None, "", "now", "keywords"),
        ("耳机", "amazon", "", "now", "platform"),
        ("耳机", None, "便宜", "now", "max_price"),
        ("耳机", None, "", "sms", "delivery"),
    ],
)
def test_bad_alerts_are_refused(member, keywords, platform, max_price, delivery, field):
    with pytest.raises(ValidationFailed) as refused:
        alerts.save_alert(member, keywords, platform, max_price, delivery)
    assert field in [name for name, _reason in refused.value.errors]


def test_alerts_are_for_members_and_limited(member, free_user):
    with pytest.raises(NotAllowed):
        alerts.save_alert(free_user, "耳机", None, "", "now")
    for n in range(alerts.MAX_ALERTS):
        alerts.save_alert(member, f"关键词{n}", None, "", "none")
    with pytest.raises(ValidationFailed):
        alerts.save_alert(member, "再来一个", None, "", "none")


def test_the_alerts_page_saves_lists_and_removes(client, login, member, mallory):
    login(client, member)
    saved = post_form(
        client,
        "/deals/alerts",
        {"keywords": "空气炸锅", "platform": "jd", "max_price": "300", "delivery": "digest"},
    )
    assert saved.status_code == 303
    page = client.get("/deals/alerts").get_data(as_text=True)
    assert "空气炸锅" in page and "¥300" in page
    bad = post_form(client, "/deals/alerts", {"keywords": "", "delivery": "now"})
    assert bad.status_code == 422
    [alert] = alerts.alerts_of(member)
    login(client, mallory)
    assert (
        post_form(client, f"/deals/alerts/{alert.id}/delete", {}, "/deals/alerts").status_code
        == 404
    )
    login(client, member)
    assert (
        post_form(client, f"/deals/alerts/{alert.id}/delete", {}, "/deals/alerts").status_code
        == 303
    )
    assert alerts.alerts_of(member) == []


def test_the_scheduler_runs_the_alerts_once_per_minute(member, make_deal, outbox):
    from community.jobs import schedule
    from community.jobs.registry import PERIODIC

    alerts.save_alert(member, "耳机", None, "", "now")
    db.session.commit()
    deal = make_deal(title="索尼蓝牙降噪耳机 WH-1000XM5")
    task = {"deals.alerts": PERIODIC["deals.alerts"]}
    now = utcnow()
    assert schedule.run_due(now, task) == [("deals.alerts", "done")]
    assert schedule.run_due(now + timedelta(seconds=30), task) == []
    assert schedule.run_due(now + timedelta(minutes=1), task) == [("deals.alerts", "done")]
    assert [notice.path for notice in notices(member)] == [f"/deals/{deal.id}"]
    assert len(outbox()) == 1
