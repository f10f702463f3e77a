"""What alerts, tips and the discussion send out never carries a deal's affiliate URL, sub id,
coupon code or price to anyone who is not an active member at the moment it is sent."""

from __future__ import annotations

from datetime import timedelta

from community.clock import utcnow
from community.deals import alerts, discussion, tips
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.qa.services.notifications import choose_digest
from tests.deals.conftest import SECRET_CODE, SECRET_COUPON, sub_id


def lapse(user) -> None:
    db.session.execute(
        MembershipPeriod.__table__.update()
        .where(MembershipPeriod.user_id == user.id)
        .values(ends_at=utcnow() - timedelta(days=1), starts_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()


def every_mail_text(outbox) -> str:
    return "\n".join(
        f"{mail['Subject']}\n{mail.get_body(preferencelist=('plain',)).get_content()}"
        for mail in outbox()
    )


def test_alert_mail_carries_no_affiliate_url_sub_id_or_coupon(member, make_deal, outbox):
    alerts.save_alert(member, "耳机", None, "", "now")
    db.session.commit()
    make_deal(title="蓝牙耳机")
    assert alerts.send_alerts().mails == 1
    text = every_mail_text(outbox)
    assert "union-click" not in text and sub_id(member) not in text
    assert SECRET_CODE not in text and SECRET_COUPON not in text and "/go/" not in text


def test_a_member_who_lapses_before_the_mail_gets_no_mail(member, make_deal, outbox):
    alerts.save_alert(member, "耳机", None, "", "now")
    db.session.commit()
    make_deal(title="蓝牙耳机")
    assert alerts.scan(utcnow()).hits == 1
    lapse(member)
    assert alerts.mail_now(utcnow()) == 0
    assert outbox() == []


def test_digest_lines_name_the_deal_without_its_price(member, make_deal, outbox, runner):
    alerts.save_alert(member, "耳机", None, "", "digest")
    db.session.commit()
    make_deal(title="蓝牙耳机 PRICECHECK", price="123.45", list_price="200")
    alerts.send_alerts()
    choose_digest(member, "each")
    db.session.commit()
    runner.invoke(args=["qa", "send-digests"])
    text = every_mail_text(outbox)
    assert "PRICECHECK" in text and "123.45" not in text and "union-click" not in text


def test_tip_notices_and_the_discussion_hold_no_deal_secrets(
    client, login, member, free_user, operator, make_deal
):
    tip = tips.submit_tip(member, "https://item.jd.com/5.html", "好物", "9.90", "很便宜 REASONTEXT")
    db.session.commit()
    deal = make_deal(title="好物 TIPPED")
    discussion.add_comment(member, deal, "会员评论 COMMENTSECRET")
    tips.reject_tip(operator, tip, "重复了")
    db.session.commit()
    login(client, free_user)
    for path in (f"/deals/{deal.id}", "/deals/", "/qa/notifications"):
        page = client.get(path).get_data(as_text=True)
        for secret in ("COMMENTSECRET", SECRET_CODE, SECRET_COUPON, "union-click", "¥189"):
            assert secret not in page, (path, secret)
