"""The Q&A's periodic tasks (registered with the job layer's scheduler)."""

from __future__ import annotations

from datetime import timedelta

from community.jobs import periodic
from community.qa.services import notifications


@periodic("qa.notification-mail", every=timedelta(minutes=5))
def send_notification_mail() -> int:
    """Each member's notifications as they chose (one by one, daily or weekly digests); every
    mail is marked as sent and committed before it goes, so a second run finds nothing."""
    return notifications.send_digests()
