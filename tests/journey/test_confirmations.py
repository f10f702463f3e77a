"""Money actions that cannot be undone ask first: the member's refund and the operator's
refunds, comp revokes and tier changes each show a confirmation page before anything moves."""

from __future__ import annotations

from sqlalchemy import func, select

from community.billing.models import Payment, Refund
from community.extensions import db
from community.membership.models import MembershipPeriod
from tests.billing.conftest import start_checkout
from tests.helpers import csrf_from, post_form, zh


def refunds_made() -> int:
    return db.session.scalar(select(func.count(Refund.id)))


def pay_member_year(client) -> Payment:
    started = start_checkout(client, "member")
    location = started.headers["Location"]
    token = csrf_from(client.get(location))
    client.post(location + "/complete", data={"csrf_token": token})
    return db.session.scalars(select(Payment)).one()


def test_the_members_refund_is_a_page_of_its_own(client, login, free_user):
    login(client, free_user)
    payment = pay_member_year(client)
    billing = client.get("/billing").text
    # The billing page links to the confirmation; it holds no form that refunds.
    assert f'action="/billing/payments/{payment.id}/refund"' not in billing
    assert f'href="/billing/payments/{payment.id}/refund"' in billing

    page = client.get(f"/billing/payments/{payment.id}/refund")
    assert page.status_code == 200
    assert 'data-testid="refund-total">¥199<' in page.text
    assert zh("This cannot be undone.") in page.text
    assert "<script" not in page.text.split("<main", 1)[1]
    assert refunds_made() == 0  # looking changes nothing

    done = client.post(
        f"/billing/payments/{payment.id}/refund", data={"csrf_token": csrf_from(page)}
    )
    assert done.status_code == 302
    assert refunds_made() == 1
    billing = client.get("/billing").text
    row = billing[billing.index(f'data-payment="{payment.id}"') :]
    assert zh("refunded") in row[: row.index("</tr>")]
    receipt = client.get(f"/billing/payments/{payment.id}/receipt").text
    assert zh("refunded") in receipt
    # Once refunded there is nothing to confirm.
    assert client.get(f"/billing/payments/{payment.id}/refund").status_code == 400


def test_nobody_confirms_a_refund_of_someone_elses_payment(client, login, free_user, mallory):
    login(client, free_user)
    payment = pay_member_year(client)
    login(client, mallory)
    assert client.get(f"/billing/payments/{payment.id}/refund").status_code == 404


def test_an_operator_refund_shows_what_it_does_before_doing_it(client, login, free_user, operator):
    login(client, free_user)
    payment = pay_member_year(client)
    login(client, operator)
    member_page = f"/operator/members/{free_user.id}"
    url = f"{member_page}/payments/{payment.id}/refund"
    step = post_form(client, url, {"amount": "199", "reason": "服务中断"}, member_page)
    assert step.status_code == 200
    assert zh("Refund this payment?") in step.text
    assert zh("The membership time this payment bought ends at once.") in step.text
    assert refunds_made() == 0
    bad = post_form(client, url, {"amount": "500", "reason": "太多"}, member_page)
    assert bad.status_code == 400 and refunds_made() == 0
    done = client.post(
        url,
        data={
            "csrf_token": csrf_from(step),
            "amount": "199",
            "reason": "服务中断",
            "confirm": "yes",
        },
    )
    assert done.status_code == 302
    assert refunds_made() == 1


def test_comp_revokes_and_tier_changes_ask_first(client, login, member, operator):
    period = db.session.scalars(select(MembershipPeriod)).one()
    login(client, operator)
    page = f"/operator/members/{member.id}"
    step = post_form(client, f"{page}/comps/{period.id}/revoke", {"reason": "发放错误"}, page)
    assert step.status_code == 200
    assert zh("The member loses the access this period gives at once.") in step.text
    db.session.refresh(period)
    assert period.revoked_at is None
    refused = post_form(client, f"{page}/comps/{period.id}/revoke", {"reason": " "}, page)
    assert refused.status_code == 400

    tier_step = post_form(client, f"{page}/tier", {"tier": "pro", "reason": "补偿"}, page)
    assert tier_step.status_code == 200
    assert zh("Change this member's tier?") in tier_step.text
    assert db.session.scalar(select(func.count(MembershipPeriod.id))) == 1

    done = client.post(
        f"{page}/comps/{period.id}/revoke",
        data={"csrf_token": csrf_from(step), "reason": "发放错误", "confirm": "yes"},
    )
    assert done.status_code == 302
    db.session.refresh(period)
    assert period.revoked_at is not None
