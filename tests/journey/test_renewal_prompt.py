"""The renewal prompt: in the window the header and home show the end date, the discounted
price and one button; lapsed members see what they lost and one button."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from community.billing.models import BillingProfile
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.templating import format_date
from tests.helpers import zh


def user_end(user):
    return db.session.scalars(select(MembershipPeriod.ends_at).filter_by(user_id=user.id)).one()


def test_no_prompt_while_the_end_is_far(client, login, member):
    login(client, member)
    page = client.get("/").text
    assert 'data-testid="renewal-notice"' not in page
    assert 'data-testid="renewal-card"' not in page


def test_twenty_days_before_the_end_the_header_and_home_prompt(app, client, login, make_user):
    user = make_user(tier="member", days=365)
    with time_machine.travel(utcnow() + timedelta(days=344), tick=False):
        login(client, user)
        page = client.get("/").text
        notice = page[page.index('data-testid="renewal-notice"') :]
        assert "¥179.10" in notice  # 10% off ¥199.00, rounded down to the fen
        card = page[page.index('data-testid="renewal-card"') :]
        end = format_date(user_end(user))
        assert zh("Your membership ends on %(date)s.", date=end) in notice
        assert f"你的会员将于 {end} 到期，还剩 20 天。" in card
        assert re.search(r'href="/billing/checkout\?tier=member"[^>]*data-testid="renew"', card)
        # The header shows it on every page, the question list too.
        assert 'data-testid="renewal-notice"' in client.get("/qa/").text
        checkout = client.get("/billing/checkout?tier=member").text
        assert 'data-testid="offer-amount">¥179.10' in checkout


def test_auto_renewing_members_are_not_prompted(client, login, make_user):
    user = make_user(tier="member", days=20)
    db.session.add(BillingProfile(user_id=user.id, auto_renew=True))
    db.session.commit()
    login(client, user)
    assert 'data-testid="renewal-notice"' not in client.get("/").text


def test_a_lapsed_member_sees_what_they_lost_and_one_button(client, login, make_user):
    user = make_user(tier="member", days=30)
    with time_machine.travel(utcnow() + timedelta(days=33), tick=False):
        login(client, user)
        page = client.get("/").text
        card = page[page.index('data-testid="renewal-card"') :]
        assert 'data-kind="lapsed"' in page
        assert zh("ask your own questions") in card
        assert zh("read the answers, the curated entries and the discussion") in card
        assert "¥179.10" in card  # still within the grace days: the renewal discount holds
        assert len(re.findall(r'data-testid="renew"', card)) == 1
    with time_machine.travel(utcnow() + timedelta(days=60), tick=False):
        login(client, user)
        card = client.get("/").text
        assert 'data-kind="lapsed"' in card
        assert 'data-testid="renewal-price">¥199\n' in card  # past the grace days: full price


def test_free_users_and_staff_who_never_paid_see_no_prompt(client, login, free_user, operator):
    login(client, free_user)
    assert 'data-testid="renewal-notice"' not in client.get("/").text
    login(client, operator)
    assert 'data-testid="renewal-notice"' not in client.get("/").text


def test_the_prompt_is_one_members_own_on_a_shared_question_page(
    app, login, make_user, make_question
):
    question = make_question()
    ending = make_user(tier="member", days=20)
    far = make_user(tier="member", days=300)
    ending_client, far_client = app.test_client(), app.test_client()
    login(ending_client, ending)
    login(far_client, far)
    for _ in range(2):  # the second visits are served from the shared rendering
        assert 'data-testid="renewal-notice"' in ending_client.get(f"/qa/{question.id}").text
        assert 'data-testid="renewal-notice"' not in far_client.get(f"/qa/{question.id}").text
