"""Rebate fixtures: an import helper on real files, members with sub ids and inviters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates.importer import import_report
from tests.rebates import reports


@pytest.fixture
def generic_import(app, tmp_path):
    """Write rows as a generic CSV and import it; returns the ReportImport."""
    counter = {"n": 0}

    def run(rows, moment=None, partial=False, encoding="utf-8"):
        counter["n"] += 1
        path = reports.write_csv(
            tmp_path / f"generic{counter['n']}.csv", reports.GENERIC_HEADERS, rows, encoding
        )
        return import_report(path, "generic", moment or utcnow(), partial=partial)

    return run


@pytest.fixture
def inviter_and_buyer(make_user):
    """A pro member (the inviter) and a member they invited (the buyer), each with a sub id."""
    inviter = make_user(email="inviter@example.com", name="邀请人老王", tier="pro")
    buyer = make_user(email="buyer@example.com", name="买家小张", tier="member", inviter=inviter)
    sub_id_of(inviter)
    sub_id_of(buyer)
    db.session.commit()
    return inviter, buyer


def days_later(days: int):
    return utcnow() + timedelta(days=days)
