"""The Q&A's jobs and periodic tasks (registered with the job layer)."""

from __future__ import annotations

from datetime import timedelta

from community.jobs import job, periodic
from community.qa import unrendered
from community.qa.services import notifications


@periodic("qa.notification-mail", every=timedelta(minutes=5))
def send_notification_mail() -> int:
    """Each member's notifications as they chose (one by one, daily or weekly digests); every
    mail is marked as sent and committed before it goes, so a second run finds nothing."""
    return notifications.send_digests()


@job("qa.render-unrendered")
@periodic("qa.render-unrendered", every=timedelta(minutes=10))
def render_unrendered() -> int:
    """The HTML of every text an import left waiting, a committed batch at a time (queued by
    `flask qa import`; the periodic run takes over what a lost or failed job left)."""
    return unrendered.render_waiting()
