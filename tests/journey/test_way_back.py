"""The way in and back: from the paywall of a question to a buy button in one tap, through
sign-up, confirmation and checkout (offline and Stripe), and back on that question."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.billing.models import Payment
from community.extensions import db
from tests.billing.conftest import hidden_fields
from tests.helpers import csrf_from, link_in, path_of, post_form


def links_with(page: str, testid: str) -> str:
    match = re.search(rf'<a [^>]*data-testid="{testid}"[^>]*href="([^"]+)"', page) or re.search(
        rf'<a [^>]*href="([^"]+)"[^>]*data-testid="{testid}"', page
    )
    assert match, f"no link {testid}"
    return html.unescape(match.group(1))


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def checkout_fields(response) -> dict[str, str]:
    """The checkout form's hidden fields (the header's language form has a `next` of its own)."""
    fields = hidden_fields(response)
    match = re.search(r'id="back" name="back" type="hidden" value="([^"]*)"', response.text)
    assert match, "the checkout form carries no way back"
    fields["back"] = html.unescape(match.group(1))
    return fields


def test_a_free_user_reaches_checkout_from_the_paywall_in_one_tap(
    client, login, free_user, make_question
):
    question = make_question()
    login(client, free_user)
    page = client.get(f"/qa/{question.id}").text
    buy = links_with(page, "join-member")
    assert urlsplit(buy).path == "/billing/checkout"
    assert next_of(buy) == f"/qa/{question.id}"
    checkout = client.get(buy)
    assert checkout.status_code == 200
    assert checkout_fields(checkout)["back"] == f"/qa/{question.id}"


def test_a_visitor_signs_up_confirms_pays_and_lands_back_on_the_question(
    app, client, make_question, outbox
):
    question = make_question()
    back = f"/qa/{question.id}"
    page = client.get(back).text
    register = links_with(page, "join-member")
    assert urlsplit(register).path == "/account/register"
    checkout_path = next_of(register)
    assert next_of(checkout_path) == back

    signed_up = post_form(
        client,
        register,
        {
            "email": "new@example.com",
            "name": "新会员",
            "password": "a long enough passphrase 2026",
            "next": checkout_path,
        },
    )
    assert signed_up.status_code == 302
    assert signed_up.headers["Location"] == checkout_path

    verify_link = link_in(outbox()[-1])
    assert next_of(verify_link) == checkout_path
    confirmed = client.get(path_of(verify_link))
    assert confirmed.headers["Location"] == checkout_path

    form = checkout_fields(client.get(checkout_path))
    started = client.post("/billing/checkout", data={**form, "mode": "pass"})
    assert started.status_code == 303
    offline = started.headers["Location"]
    assert next_of(offline) == back
    offline_page = client.get(offline)
    done = client.post(
        urlsplit(offline).path + "/complete",
        data={"csrf_token": csrf_from(offline_page), "back": back},
    )
    success = done.headers["Location"]
    assert next_of(success) == back
    done_page = client.get(success).text
    assert links_with(done_page, "continue") == back
    for step in ("start-featured", "start-ask"):
        assert links_with(done_page, step)
    assert (
        f"/account/invite/{db.session.scalars(select(User).filter_by(email='new@example.com')).one().invite_code}"
        in done_page
    )
    answer_page = client.get(back).get_data(as_text=True)
    assert 'data-testid="join-call"' not in answer_page


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_a_next_that_leaves_the_site_is_dropped_everywhere(client, login, free_user, target):
    login(client, free_user)
    checkout = client.get("/billing/checkout", query_string={"tier": "member", "next": target})
    assert checkout_fields(checkout)["back"] == ""
    form = checkout_fields(checkout)
    started = client.post("/billing/checkout", data={**form, "mode": "pass", "back": target})
    assert "next=" not in started.headers["Location"]
    payment = db.session.get(
        Payment, int(urlsplit(started.headers["Location"]).path.split("/")[-1])
    )
    offline_page = client.get(started.headers["Location"])
    done = client.post(
        f"/billing/offline/{payment.id}/complete",
        data={"csrf_token": csrf_from(offline_page), "back": target},
    )
    assert "next=" not in done.headers["Location"]
    success = client.get("/billing/success", query_string={"payment": payment.id, "next": target})
    assert f'href="{html.escape(target)}"' not in success.text
    assert 'data-testid="continue"' not in success.text


def test_registration_and_confirmation_refuse_a_foreign_next(client, outbox):
    signed_up = post_form(
        client,
        "/account/register",
        {
            "email": "n2@example.com",
            "name": "新人",
            "password": "a long enough passphrase 2026",
            "next": "https://evil.example/",
        },
    )
    assert signed_up.headers["Location"] == "/"
    link = link_in(outbox()[-1])
    assert "next" not in link
    confirmed = client.get(path_of(link) + "?next=//evil.example")
    assert confirmed.headers["Location"] == "/"


def test_the_list_banner_leads_to_pricing_with_buy_buttons(client, make_question):
    make_question()
    page = client.get("/qa/").get_data(as_text=True)
    assert 'href="/pricing"' in page
    pricing = client.get("/pricing?next=/qa/").get_data(as_text=True)
    join = links_with(pricing, "join-member")
    assert next_of(next_of(join)) == "/qa/"


def test_stripe_returns_to_the_question_after_paying(client, login, free_user, stripe_site, runner):
    from tests.billing.conftest import start_checkout

    assert runner.invoke(args=["billing", "sync-stripe"]).exit_code == 0
    login(client, free_user)
    started = start_checkout(client, "member", back="/qa/7?sort=votes")
    assert started.status_code == 303
    (call,) = stripe_site.calls_to("POST", "/v1/checkout/sessions")
    success_url = call.params["success_url"]
    assert "session_id={CHECKOUT_SESSION_ID}" in success_url
    assert next_of(success_url) == "/qa/7?sort=votes"
    assert next_of(call.params["cancel_url"]) == "/qa/7?sort=votes"
    payment = db.session.scalars(select(Payment)).one()
    session_id = payment.provider_session_id
    page = client.get(path_of(success_url.replace("{CHECKOUT_SESSION_ID}", session_id)))
    assert page.status_code == 200
    assert 'data-testid="next-steps"' not in page.get_data(as_text=True)  # not paid yet
