"""Members' identities at the affiliate networks: sub ids and Taobao bindings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.affiliate import services
from community.affiliate.models import AffiliateIdentity
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from tests.helpers import run_together


def test_a_sub_id_is_stable_per_member_and_differs_between_members(app, member, make_user):
    first = services.sub_id_of(member)
    db.session.commit()
    assert services.sub_id_of(member) == first
    others = {services.sub_id_of(make_user(tier="member")) for _ in range(20)}
    assert first not in others and len(others) == 20


def test_a_sub_id_is_opaque_and_safe_in_any_url(app, member):
    sub_id = services.sub_id_of(member)
    assert re.fullmatch(r"[a-z0-9]{12}", sub_id)
    assert str(member.id) != sub_id and member.email.split("@")[0] not in sub_id


def test_the_member_behind_each_identifier(app, member, operator):
    sub_id = services.sub_id_of(member)
    services.assign_adzone(operator, member, "109876543210")
    services.record_member_binding(member, "relation_id", "２８８８ ９９９")
    services.record_member_binding(member, "special_id", "7001")
    assert services.member_id_by("sub_id", sub_id) == member.id
    assert services.member_id_by("adzone_id", "109876543210") == member.id
    assert services.member_id_by("relation_id", "2888999") == member.id
    assert services.member_id_by("special_id", "7001") == member.id
    assert services.member_id_by("sub_id", "nobody") is None
    assert services.member_id_by("adzone_id", "") is None


def test_bindings_are_unique_to_one_member(app, member, mallory, operator):
    services.assign_adzone(operator, member, "555")
    with pytest.raises(ValidationFailed):
        services.assign_adzone(operator, mallory, "555")
    services.record_member_binding(member, "relation_id", "42")
    with pytest.raises(ValidationFailed):
        services.record_member_binding(mallory, "relation_id", "42")
    assert services.identity_of(mallory).relation_id is None


@pytest.mark.parametrize("raw", ["12ab", "-5", "1" * 21, "１２.３"])
def test_taobao_ids_are_digits(app, member, raw):
    with pytest.raises(ValidationFailed):
        services.record_member_binding(member, "relation_id", raw)


def test_only_operators_assign_adzones_and_members_record_only_their_own_ids(app, member):
    with pytest.raises(NotAllowed):
        services.assign_adzone(member, member, "123")
    with pytest.raises(NotAllowed):
        services.record_member_binding(member, "adzone_id", "123")


def test_clearing_a_binding(app, member, operator):
    services.assign_adzone(operator, member, "777")
    services.assign_adzone(operator, member, "")
    assert services.identity_of(member).adzone_id is None


def test_two_first_uses_at_once_make_one_identity(app, member):
    from community.accounts.models import User

    member_id = member.id
    db.session.commit()
    seen = []

    def first_use(_n: int) -> None:
        seen.append(services.sub_id_of(db.session.get(User, member_id)))
        db.session.commit()

    failures = run_together(first_use, 4, app)
    assert failures == []
    assert len(set(seen)) == 1
    assert db.session.scalar(select(func.count()).select_from(AffiliateIdentity)) == 1
