"""Journey fixtures: the Q&A question factories and the fake Stripe, shared from their domains."""

from tests.billing.conftest import fake_stripe, stripe_site  # noqa: F401 - fixtures
from tests.qa.conftest import make_answer, make_question  # noqa: F401 - fixtures
