"""Webhook tests: a buyer on a site with Stripe configured, at a frozen moment.

Time is frozen so that "now" is the same for every delivery: duplicates and reorderings
must end in exactly the same rows, not merely similar ones.
"""

import pytest
import time_machine

from tests.billing.webhooks.events import NOW


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def buyer(make_user, stripe_site):
    return make_user(email="buyer@example.com", name="买家")
