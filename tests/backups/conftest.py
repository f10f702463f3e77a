"""Backups use the Q&A and rebate fixtures to fill a site worth restoring."""

from tests.qa.conftest import make_question  # noqa: F401 - a fixture
from tests.rebates.conftest import generic_import, inviter_and_buyer  # noqa: F401 - fixtures
