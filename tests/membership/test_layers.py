"""Each layer's place: nothing below membership imports it or billing, nothing below rebates
imports rebates; accounts hear a user's standing through the hook membership registers, and
billing hears of the rebate balance through the hook rebates registers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from community.accounts.standing import is_member, standing_of

PACKAGE = Path(__file__).parents[2] / "community"
CORE = [path for path in PACKAGE.glob("*.py") if path.name not in ("__init__.py", "demo.py")]
DOMAINS = (
    "accounts",
    "affiliate",
    "membership",
    "billing",
    "qa",
    "search",
    "feeds",
    "deals",
    "rebates",
    "console",
    "api",
    "pages",
    "operations",
    "media",
    "sharing",
)
# What each layer may not import (arrows point down: a module never imports one above it).
ABOVE = {
    "core": DOMAINS,
    "rendering": DOMAINS,
    "jobs": DOMAINS,
    # Backups restore the database, then rebuild search and empty the renderings; no domain.
    "backups": tuple(d for d in DOMAINS if d != "search"),
    "accounts": tuple(d for d in DOMAINS if d != "accounts"),
    "membership": ("billing", "qa", "search", "deals", "rebates", "console", "api", "pages"),
    "search": ("billing", "membership", "qa", "deals", "rebates", "console", "api", "pages"),
    "affiliate": ("membership", "billing", "qa", "deals", "rebates", "console", "api", "pages"),
    "billing": ("qa", "search", "deals", "rebates", "console", "api", "pages"),
    # Rebates stands on billing, membership, affiliate and accounts; only console and api
    # read it, and it matches orders by affiliate identifiers, never through deals.
    "rebates": ("deals", "qa", "console", "api", "pages"),
    # Deals stand on membership, affiliate and qa's Markdown; rebates never hear of them.
    "deals": ("rebates", "console", "api", "pages"),
    # Pictures stand on membership (who may upload); each post's domain registers who reads it.
    "media": ("billing", "qa", "search", "feeds", "deals", "rebates", "console", "api", "pages"),
    # Cards, Open Graph tags and QR codes draw what a domain hands them and know no domain.
    "sharing": tuple(d for d in DOMAINS if d != "sharing"),
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "community" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", list(ABOVE))
def test_no_layer_imports_one_above_it(layer):
    files = CORE if layer == "core" else list((PACKAGE / layer).rglob("*.py"))
    assert files
    offences = {
        str(path.relative_to(PACKAGE)): sorted(imported_packages(path) & set(ABOVE[layer]))
        for path in files
    }
    assert {path: found for path, found in offences.items() if found} == {}


def test_accounts_read_standing_through_the_hook(app, member, free_user, operator):
    assert standing_of(member).is_member and standing_of(member).tier.slug == "member"
    assert not standing_of(free_user).is_member
    assert is_member(member) and is_member(operator) and not is_member(free_user)


def test_without_the_hook_accounts_pages_still_work(app, client, login, member):
    hooks = app.extensions.pop("account_standing")
    try:
        assert standing_of(member) is None and not is_member(member)
        login(client, member)
        assert client.get(f"/account/users/{member.id}").status_code == 200
    finally:
        app.extensions["account_standing"] = hooks
