"""End-to-end account flows in a real Chromium: sign-up, verification, sign-in, reset, invites.

Selectors go by role, test id, field id and URL, not by text, so the tests hold whether or
not the Chinese catalog is compiled; only `html[lang]` pins the language.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import expect
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.passwords import verify_password
from community.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import link_in

NEW_PASSWORD = "a brand new passphrase 42"


def on_live_server(link: str, base_url: str) -> str:
    """`link` with its scheme and host replaced by the live server's."""
    base = urlsplit(base_url)
    parts = urlsplit(link)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def email_link(outbox, to: str, path_prefix: str) -> str:
    """The link under `path_prefix` in the newest email sent to `to`."""
    links = [
        link_in(message)
        for message in outbox()
        if message["To"] == to and urlsplit(link_in(message)).path.startswith(path_prefix)
    ]
    assert links, f"no email to {to} with a {path_prefix} link"
    return links[-1]


def user_by_email(email: str) -> User | None:
    """Read the user as the live server left it (the server commits in its own threads)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def signed_in(page):
    return page.get_by_test_id("logout")


def submit(page):
    page.locator("main form[method=post] button[type=submit]").click()


def log_in(page, email: str, password: str) -> None:
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    submit(page)


def log_out(page) -> None:
    signed_in(page).click()
    expect(signed_in(page)).to_have_count(0)
    expect(page.locator("#site-nav a[href^='/account/login']")).to_be_visible()


def test_sign_up_verify_sign_in_and_reset_password(page, live_server, outbox):
    email, name = "xiaoming@example.com", "小明"

    # The landing page, in Chinese for a zh-CN browser.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(signed_in(page)).to_have_count(0)
    page.locator("#site-nav a[href='/account/register']").click()
    expect(page).to_have_url(re.compile(r"/account/register$"))

    # Sign up: the account exists, is signed in and still unverified.
    page.locator("#email").fill(email)
    page.locator("#name").fill(name)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{live_server}/")
    expect(signed_in(page)).to_be_visible()
    expect(page.locator(".notice")).to_be_visible()
    user = user_by_email(email)
    assert user is not None
    assert user.name == name
    assert user.email_verified_at is None

    # The verification email links to this server; opening it confirms the address.
    link = email_link(outbox, email, "/account/verify/")
    assert urlsplit(link).netloc == urlsplit(live_server).netloc
    page.goto(on_live_server(link, live_server))
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".notice")).to_have_count(0)
    assert user_by_email(email).email_verified_at is not None

    # Sign out and back in with the original password.
    log_out(page)
    log_in(page, email, PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    expect(signed_in(page)).to_be_visible()
    assert user_by_email(email).last_login_at is not None
    log_out(page)

    # Forgot the password: ask for a link from the sign-in page.
    page.goto("/account/login")
    page.locator("main a[href='/account/forgot']").click()
    expect(page).to_have_url(re.compile(r"/account/forgot$"))
    page.locator("#email").fill(email)
    submit(page)
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.locator(".flash-info")).to_be_visible()

    # The reset link lets us choose a new password, once.
    reset_link = on_live_server(email_link(outbox, email, "/account/reset/"), live_server)
    epoch_before = user_by_email(email).session_epoch
    page.goto(reset_link)
    expect(page.locator("#password")).to_be_visible()
    page.locator("#password").fill(NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/account/login$"))
    expect(page.locator(".flash-success")).to_be_visible()
    user = user_by_email(email)
    assert verify_password(user.password_hash, NEW_PASSWORD)[0]
    assert not verify_password(user.password_hash, PASSWORD)[0]
    assert user.session_epoch == epoch_before + 1
    response = page.goto(reset_link)
    assert response is not None and response.status == 410

    # The new password signs in; the old one no longer does.
    log_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    expect(signed_in(page)).to_be_visible()
    log_out(page)
    log_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/login"))
    expect(page.locator("main .form-error")).to_be_visible()
    expect(signed_in(page)).to_have_count(0)


def test_landing_page_fits_a_phone_and_the_menu_opens(phone_page):
    page = phone_page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    overflow = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert overflow["scroll"] <= overflow["inner"], overflow

    toggle = page.locator("button[aria-controls='site-nav']")
    register = page.locator("#site-nav a[href='/account/register']")
    login = page.locator("#site-nav a[href^='/account/login']")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(register).to_be_hidden()
    expect(login).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(register).to_be_visible()
    expect(login).to_be_visible()
    register.click()
    expect(page).to_have_url(re.compile(r"/account/register$"))


def test_invite_link_survives_browsing_before_sign_up(page, live_server, make_user):
    inviter = make_user(email="laowang@example.com", name="老王")
    inviter_id, invite_code = inviter.id, inviter.invite_code

    # Following the invite lands on the home page with the invitation remembered.
    page.goto(f"/account/invite/{invite_code}")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_test_id("invite-banner")).to_be_visible()
    assert any(cookie["name"] == "invite" for cookie in page.context.cookies())

    # Browse around first: the landing page again, then the sign-in page.
    page.goto("/")
    expect(page.get_by_test_id("invite-banner")).to_be_visible()
    page.locator("main a[href^='/account/login']").click()
    expect(page).to_have_url(re.compile(r"/account/login"))
    page.locator("main a[href='/account/register']").click()

    # Sign up: the form names the inviter, with the choice to join as their invitee kept.
    expect(page).to_have_url(re.compile(r"/account/register$"))
    expect(page.get_by_test_id("invite-banner")).to_be_visible()
    expect(page.get_by_test_id("invite-choice")).to_contain_text("老王")
    expect(page.locator("#use_invite")).to_be_checked()
    page.locator("#email").fill("xiaohong@example.com")
    page.locator("#name").fill("小红")
    page.locator("#password").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(f"{live_server}/")
    expect(signed_in(page)).to_be_visible()
    assert not any(cookie["name"] == "invite" for cookie in page.context.cookies())

    invitee = user_by_email("xiaohong@example.com")
    assert invitee is not None
    assert invitee.inviter_id == inviter_id
    assert invitee.invited_at is not None
