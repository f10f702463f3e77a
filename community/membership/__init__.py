"""Memberships: tiers, the periods that make a membership (paid, upgraded, granted, grace),
their history, and the one answer to "may this person do or read this now?".

Billing sells periods and calls in here to add or cut them; domains above ask `entitlements`
and use `decorators`; accounts, below, hear a user's standing through the hook `init_app`
registers.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from community.accounts.standing import register_standing
    from community.membership.entitlements import is_member, standing
    from community.membership.labels import template_labels
    from community.membership.tiers import tier_description, tier_name

    register_standing(app, standing, is_member)
    app.context_processor(template_labels)
    app.add_template_filter(tier_name)
    app.add_template_filter(tier_description)
