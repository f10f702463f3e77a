"""Rebate pages: the member's page, confirmation steps before money moves, operators' pages;
bad input answers 400 in Chinese, never a 500; nobody sees another member's money."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import ledger, withdrawals
from community.rebates.models import RebateOrder, Withdrawal
from tests.helpers import csrf_from, zh
from tests.rebates import reports
from tests.rebates.conftest import days_later


@pytest.fixture
def earned(generic_import, member):
    generic_import(
        [
            reports.generic_row(
                "V1",
                sub_id_of(member),
                "settled",
                commission="100.00",
                settled_at=days_later(-30).isoformat(),
            ),
            reports.generic_row("V2", sub_id_of(member), commission="8.00"),
        ]
    )
    return member


def withdraw_form(client, **overrides):
    token = csrf_from(client.get("/rebates"))
    form = {
        "csrf_token": token,
        "amount": "20.00",
        "method": "alipay",
        "account": "member@example.com",
        "account_name": "李明",
        **overrides,
    }
    return form


def test_the_member_page_shows_balances_orders_and_invite(client, login, earned):
    login(client, earned)
    page = client.get("/rebates")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="withdrawable">¥50' in text and 'data-testid="pending">¥4' in text
    assert 'data-order="V1"' in text and 'data-order="V2"' in text
    assert earned.invite_code in text
    qr = client.get("/rebates/invite.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_a_withdrawal_is_confirmed_on_its_own_page_before_anything_moves(client, login, earned):
    login(client, earned)
    form = withdraw_form(client)
    confirm = client.post("/rebates/withdraw", data=form)
    assert confirm.status_code == 200
    assert zh("Confirm your withdrawal") in confirm.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Withdrawal.id))) == 0
    done = client.post("/rebates/withdraw", data={**form, "confirm": "yes"})
    assert done.status_code == 302
    assert ledger.balances(earned.id, utcnow()).frozen == 2000


@pytest.mark.parametrize(
    "overrides",
    [{"amount": "abc"}, {"amount": "9999"}, {"amount": "1.234"}, {"method": "x"}, {"account": ""}],
)
def test_bad_withdrawal_input_is_a_400_with_a_chinese_reason(client, login, earned, overrides):
    login(client, earned)
    for confirm in ("", "yes"):
        answer = client.post(
            "/rebates/withdraw", data={**withdraw_form(client, **overrides), "confirm": confirm}
        )
        assert answer.status_code == 400
        assert 'role="alert"' in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Withdrawal.id))) == 0


def test_operator_steps_each_have_a_confirmation_page(client, login, earned, operator):
    item = withdrawals.request_withdrawal(earned, 3000, "alipay", "a@b.cn", "李明", utcnow())
    db.session.commit()
    login(client, operator)
    url = f"/operator/rebates/withdrawals/{item.id}/approve"
    page = client.get(url)
    assert page.status_code == 200 and item.status == "requested"
    assert client.post(url, data={"csrf_token": csrf_from(page)}).status_code == 302
    pay = f"/operator/rebates/withdrawals/{item.id}/pay"
    token = csrf_from(client.get(pay))
    assert client.post(pay, data={"csrf_token": token, "reference": ""}).status_code == 400
    assert client.post(pay, data={"csrf_token": token, "reference": "TX1"}).status_code == 302
    again = client.post(pay, data={"csrf_token": token, "reference": "TX2"})
    assert again.status_code == 400
    db.session.expire_all()
    assert db.session.get(Withdrawal, item.id).payout_reference == "TX1"
    assert ledger.balances(earned.id, utcnow()).paid == 3000
    csv_file = client.get("/operator/rebates/withdrawals/payouts.csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbf")


def test_members_cannot_open_operator_pages(client, login, mallory, earned):
    login(client, mallory)
    for url in (
        "/operator/rebates",
        "/operator/rebates/unmatched",
        "/operator/rebates/withdrawals",
        f"/operator/rebates/members/{earned.id}",
        "/operator/rebates/withdrawals/payouts.csv",
    ):
        assert client.get(url).status_code == 403, url
    text = client.get("/rebates").get_data(as_text=True)
    assert 'data-order="V1"' not in text


def test_an_operator_uploads_a_report_and_reads_the_result(
    client, login, operator, member, tmp_path
):
    login(client, operator)
    path = reports.write_xlsx(
        tmp_path / "淘宝.xlsx", reports.TAOBAO_HEADERS, [reports.taobao_row(adzone="1")]
    )
    token = csrf_from(client.get("/operator/rebates"))
    answer = client.post(
        "/operator/rebates/import",
        data={
            "csrf_token": token,
            "network": "taobao",
            "report": (io.BytesIO(path.read_bytes()), "淘宝.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    result = client.get(answer.headers["Location"])
    assert result.status_code == 200 and 'data-testid="unmatched">1<' in result.get_data(
        as_text=True
    )
    queue = client.get("/operator/rebates/unmatched").get_data(as_text=True)
    assert "3612345678901234567" in queue


def test_an_unknown_network_or_missing_file_is_a_400(client, login, operator):
    login(client, operator)
    token = csrf_from(client.get("/operator/rebates"))
    answer = client.post("/operator/rebates/import", data={"csrf_token": token, "network": "x"})
    assert answer.status_code == 400


def test_a_claim_confirmed_by_an_operator_credits_the_member(
    client, login, generic_import, member, operator
):
    generic_import([reports.generic_row("3000111222333", "unknown-sub", commission="20.00")])
    login(client, member)
    token = csrf_from(client.get("/rebates"))
    missing = client.post("/rebates/claim", data={"csrf_token": token, "order_no": "999"})
    assert missing.status_code == 400
    claimed = client.post("/rebates/claim", data={"csrf_token": token, "order_no": "3000111222333"})
    assert claimed.status_code == 302
    login(client, operator)
    page = client.get("/operator/rebates/unmatched")
    claim_id = page.get_data(as_text=True).split('data-claim="')[1].split('"')[0]
    target = f"/operator/rebates/claims/{claim_id}/accept"
    # The queue links to a page that says what accepting credits; nothing moves until it is
    # confirmed there, and a post without the confirmation only shows that page again.
    assert f'href="{target}"' in page.get_data(as_text=True)
    step = client.get(target)
    text = step.get_data(as_text=True)
    assert step.status_code == 200 and 'data-buyer="1000"' in text and member.email in text
    unconfirmed = client.post(target, data={"csrf_token": csrf_from(step)})
    assert unconfirmed.status_code == 200 and 'data-testid="order-step"' in unconfirmed.get_data(
        as_text=True
    )
    assert ledger.balances(member.id, utcnow()).pending == 0
    accepted = client.post(target, data={"csrf_token": csrf_from(step), "confirm": "yes"})
    assert accepted.status_code == 302
    assert ledger.balances(member.id, utcnow()).pending == 1000
    decided = client.get(target).get_data(as_text=True)
    assert zh("This claim was already decided.") in decided and "confirm-step" not in decided
    again = client.post(target, data={"csrf_token": csrf_from(step), "confirm": "yes"})
    assert again.status_code == 400
    assert ledger.balances(member.id, utcnow()).pending == 1000
    order = db.session.scalar(select(RebateOrder).where(RebateOrder.order_no == "3000111222333"))
    assert order.user_id == member.id and order.matched_by == "claim"


def test_operators_edit_the_rules_and_bad_values_are_refused(client, login, operator):
    login(client, operator)
    page = client.get("/operator/rebates/settings")
    token = csrf_from(page)
    bad = client.post(
        "/operator/rebates/settings",
        data={
            "csrf_token": token,
            "referral_share": "101",
            "holding_days": "x",
            "minimum_withdrawal": "-1",
        },
    )
    assert bad.status_code == 400
    good = client.post(
        "/operator/rebates/settings",
        data={
            "csrf_token": token,
            "referral_share": "12",
            "holding_days": "7",
            "minimum_withdrawal": "20.00",
        },
    )
    assert good.status_code == 302
    from community.rebates.settings import rebate_settings

    db.session.expire_all()
    row = rebate_settings()
    assert (row.referral_share, row.holding_days, row.minimum_withdrawal) == (12, 7, 2000)


def test_the_member_ledger_shows_a_running_balance(client, login, operator, earned):
    login(client, operator)
    page = client.get(f"/operator/rebates/members/{earned.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("data-entry=") == 2
    assert "<td>¥54</td>" in text


def test_an_operator_assigns_an_unmatched_order_from_the_queue(
    client, login, generic_import, member, operator
):
    generic_import([reports.generic_row("Q-1", "nobody", commission="30.00")])
    order = db.session.scalar(select(RebateOrder).where(RebateOrder.order_no == "Q-1"))
    login(client, operator)
    page = client.get("/operator/rebates/unmatched")
    assert 'data-order="Q-1"' in page.get_data(as_text=True)
    token = csrf_from(page)
    target = f"/operator/rebates/orders/{order.id}/assign"
    unknown = client.post(target, data={"csrf_token": token, "email": "ghost@example.com"})
    assert unknown.status_code == 400 and zh("No member has this email.") in unknown.get_data(
        as_text=True
    )
    assert ledger.balances(member.id, utcnow()).pending == 0
    step = client.post(target, data={"csrf_token": token, "email": member.email.upper()})
    text = step.get_data(as_text=True)
    assert step.status_code == 200 and 'data-buyer="1500"' in text
    assert f'name="email" value="{member.email}"' in text
    assert ledger.balances(member.id, utcnow()).pending == 0
    assigned = client.post(
        target, data={"csrf_token": token, "email": member.email, "confirm": "yes"}
    )
    assert assigned.status_code == 302
    assert ledger.balances(member.id, utcnow()).pending == 1500
    again = client.post(target, data={"csrf_token": token, "email": member.email, "confirm": "yes"})
    assert again.status_code == 400
    assert ledger.balances(member.id, utcnow()).pending == 1500
    after = client.get("/operator/rebates/unmatched").get_data(as_text=True)
    assert 'data-order="Q-1"' not in after


def test_an_inviter_sees_how_many_they_invited_masked_and_what_it_earned(
    client, login, generic_import, inviter_and_buyer
):
    inviter, buyer = inviter_and_buyer
    generic_import([reports.generic_row("R-1", sub_id_of(buyer), commission="100.00")])
    login(client, inviter)
    text = client.get("/rebates").get_data(as_text=True)
    assert zh("Invited: %(count)d") % {"count": 1} in text and "买**" in text
    assert buyer.name not in text and buyer.email not in text
    assert zh("Earned from their orders: %(amount)s") % {"amount": "¥10"} in text
    assert "R-1" not in text and 'data-order="R-…"' in text


def test_the_unmatched_queue_says_how_many_wait_and_pages_through_them(
    client, login, generic_import, operator
):
    generic_import([reports.generic_row(f"P-{n:03d}", "nobody") for n in range(60)])
    login(client, operator)
    first = client.get("/operator/rebates/unmatched").get_data(as_text=True)
    assert first.count('data-order="P-') == 50
    with force_locale("zh_CN"):
        waiting = ngettext(
            "%(num)d order waits for a member.", "%(num)d orders wait for a member.", 60
        )
    assert waiting == "60 个订单等待归属会员。" and waiting in first
    second = client.get("/operator/rebates/unmatched?page=2").get_data(as_text=True)
    assert second.count('data-order="P-') == 10
    shown = {part.split('"')[0] for part in (first + second).split('data-order="')[1:]}
    assert len(shown) == 60
    past = client.get("/operator/rebates/unmatched?page=x99")
    assert past.status_code == 200 and 'data-order="P-' in past.get_data(as_text=True)


def test_the_assign_page_shows_what_the_member_and_their_inviter_get_as_credited(
    client, login, generic_import, inviter_and_buyer, operator
):
    inviter, buyer = inviter_and_buyer
    generic_import(
        [
            reports.generic_row("S-1", "nobody", commission="33.33"),
            reports.generic_row("S-2", "nobody", "invalid", commission="50.00"),
        ]
    )
    orders = {
        order.order_no: order
        for order in db.session.scalars(select(RebateOrder).where(RebateOrder.user_id.is_(None)))
    }
    login(client, operator)
    token = csrf_from(client.get("/operator/rebates/unmatched"))
    # Each order is checked alone: the invalid one (credits nothing) goes first.
    for number, credited in (("S-2", False), ("S-1", True)):
        target = f"/operator/rebates/orders/{orders[number].id}/assign"
        step = client.post(target, data={"csrf_token": token, "email": buyer.email})
        text = step.get_data(as_text=True)
        buyer_fen = int(text.split('data-buyer="')[1].split('"')[0])
        referral_fen = int(text.split('data-referral="')[1].split('"')[0])
        assert inviter.email in text
        assert (buyer_fen > 0 and referral_fen > 0) is credited
        assert (
            client.post(
                target, data={"csrf_token": token, "email": buyer.email, "confirm": "yes"}
            ).status_code
            == 302
        )
        db.session.expire_all()
        moment = utcnow()
        assert ledger.balances(buyer.id, moment).pending == (buyer_fen if credited else 0)
        assert ledger.balances(inviter.id, moment).pending == (referral_fen if credited else 0)


def test_a_rejected_claim_is_confirmed_first_and_credits_nobody(
    client, login, generic_import, member, operator
):
    generic_import([reports.generic_row("3000999", "unknown-sub", commission="20.00")])
    login(client, member)
    client.post(
        "/rebates/claim",
        data={"csrf_token": csrf_from(client.get("/rebates")), "order_no": "3000999"},
    )
    login(client, operator)
    page = client.get("/operator/rebates/unmatched").get_data(as_text=True)
    claim_id = page.split('data-claim="')[1].split('"')[0]
    target = f"/operator/rebates/claims/{claim_id}/reject"
    step = client.get(target)
    assert step.status_code == 200 and 'data-action="reject"' in step.get_data(as_text=True)
    rejected = client.post(target, data={"csrf_token": csrf_from(step), "confirm": "yes"})
    assert rejected.status_code == 302
    assert ledger.balances(member.id, utcnow()).pending == 0
    order = db.session.scalar(select(RebateOrder).where(RebateOrder.order_no == "3000999"))
    assert order.user_id is None
