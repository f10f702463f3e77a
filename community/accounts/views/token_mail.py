"""Mail a one-time link: verify an address, reset a password, confirm a new address."""

from __future__ import annotations

from community.accounts import tokens
from community.accounts.models import User
from community.extensions import db
from community.mail import send_email
from community.site_links import site_url


def mail_token_link(
    user: User,
    purpose: str,
    endpoint: str,
    subject,
    template: str,
    email: str | None = None,
    link_values: dict | None = None,
) -> None:
    """Issue a token for `purpose`, commit it, and mail its link to `email` (the user's own);
    `link_values` are further query values of the link."""
    raw = tokens.issue_email_token(user, purpose, email=email)
    db.session.commit()
    send_email(
        email or user.email,
        subject,
        template,
        locale=user.locale,
        user=user,
        link=site_url(endpoint, token=raw, **(link_values or {})),
    )
