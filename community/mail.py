"""Outgoing email: composed here (both parts, headers, in the recipient's language), sent by
SMTP when MAIL_URL is set, otherwise written to files in the outbox and the log.

A composed message is handed to the `mail.deliver` job, so delivery (and an SMTP server that
stalls) happens off the request when a job queue is configured."""

from __future__ import annotations

import base64
import email
import email.policy
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, g, has_request_context, render_template
from flask_babel import force_locale

from community.clock import utcnow
from community.jobs import enqueue, job
from community.site_links import site_url

log = logging.getLogger(__name__)


def send_email(
    to: str,
    subject,
    template: str,
    locale: str | None = None,
    unsubscribe: str | None = None,
    **context,
) -> None:
    """Compose a mail (see `compose_email`) and hand it to the delivery job."""
    message = compose_email(to, subject, template, locale, unsubscribe, **context)
    enqueue("mail.deliver", base64.b64encode(bytes(message)).decode("ascii"))
    if has_request_context():
        g.mail_sent = True


def compose_email(
    to: str,
    subject,
    template: str,
    locale: str | None = None,
    unsubscribe: str | None = None,
    **context,
) -> EmailMessage:
    """The mail to `to`, rendered whole in `locale` (subject and both parts): a plain-text part
    from `templates/email/<template>.txt` and an HTML one from `<template>.html`, with Date, a
    From and Message-ID on the site's domain, and, when `unsubscribe` (an absolute URL taking a
    one-click POST) is given, List-Unsubscribe and List-Unsubscribe-Post."""
    context.setdefault("settings_link", site_url("accounts.settings"))
    context["unsubscribe"] = unsubscribe
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject_text = str(subject)
    domain = mail_domain()
    message = EmailMessage()
    message["From"] = sender(current_app.config)
    message["To"] = to
    message["Subject"] = subject_text
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def mail_domain(config=None) -> str:
    """The host of SITE_URL: mail is sent from, and identified on, the site's own domain."""
    return urlsplit((config or current_app.config)["SITE_URL"]).hostname or "localhost"


def sender(config) -> str:
    """The From of every mail: MAIL_FROM, else SITE_NAME at no-reply@ the site's domain."""
    return config.get("MAIL_FROM") or formataddr(
        (config["SITE_NAME"], f"no-reply@{mail_domain(config)}")
    )


def mail_sent(_response=None) -> bool:
    """Whether this request sent mail (a rate limit's `deduct_when` counts only those)."""
    return g.get("mail_sent", False)


def describe_mail(encoded: str) -> str:
    message = decode_message(encoded)
    return f"{message['To']}: {message['Subject']}"


def decode_message(encoded: str) -> EmailMessage:
    return email.message_from_bytes(base64.b64decode(encoded), policy=email.policy.default)


@job("mail.deliver", describe=describe_mail)
def deliver(encoded: str) -> None:
    """Deliver a composed message (base64 of its bytes, so the job's arguments are JSON)."""
    message = decode_message(encoded)
    if current_app.config.get("MAIL_URL"):
        deliver_smtp(current_app.config["MAIL_URL"], message, current_app.config["MAIL_TIMEOUT"])
    else:
        deliver_to_outbox(Path(current_app.config["OUTBOX_DIR"]), message)


def deliver_to_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
    path.write_bytes(bytes(message))
    log.info("mail to %s: %s (saved to %s)", message["To"], message["Subject"], path)
    return path


def deliver_smtp(url: str, message: EmailMessage, timeout: float) -> None:
    """Send through `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://...`,
    giving up on a server silent for `timeout` seconds (the job's retry tries again)."""
    parts = urlsplit(url)
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            parts.hostname,
            parts.port or 465,
            context=ssl.create_default_context(),
            timeout=timeout,
        )
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp":
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
    log.info("mail to %s: %s (sent over SMTP)", message["To"], message["Subject"])
