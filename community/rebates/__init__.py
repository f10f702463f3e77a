"""Rebates: affiliate orders imported from the networks' reports, matched to members, split
between the buyer, their locked inviter and the platform, and kept in an append-only ledger
members withdraw from or pay their dues with.

It stands above billing, membership, affiliate and accounts; billing hears from it only
through the hooks `dues.init_app` registers.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from community.rebates import dues

    dues.init_app(app)
