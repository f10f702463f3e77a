"""Deals fixtures: a deal factory and a member with the Taobao relation id deals need."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from community.affiliate.services import identity_of, record_member_binding
from community.clock import utcnow
from community.deals import publishing
from community.deals.fields import clean_deal
from community.extensions import db

SECRET_COUPON = "满300减50COUPONSECRET"
SECRET_CODE = "CODESECRET88"
SHOP = "https://union-click.jd.com/jdc?sku=100012043978&subUnionId={sub_id}"


NUMBERS = count(1)


def new_deal(status: str | None = None, **fields):
    """A published deal (or `status="draft"`), committed; text fields as the import reads
    them, `moment` the time it is published at."""
    n = next(NUMBERS)
    row = {
        "id": f"t-{n}",
        "title": f"测试好价 {n}",
        "platform": "jd",
        "url": SHOP.replace("100012043978", str(100012043978 + n)),
        "list_price": "299.00",
        "price": "189.00",
        "coupon": SECRET_COUPON,
        "coupon_code": SECRET_CODE,
        "commission_rate": "5.5",
        "category": "数码",
        "tags": "耳机|蓝牙",
        "description": "会员才能看到的描述 DESCRIPTIONSECRET",
    }
    moment = fields.pop("moment", None) or utcnow()
    row.update(fields)
    deal = publishing.create(clean_deal(row), moment, status=status)
    db.session.commit()
    return deal


@pytest.fixture
def make_deal(app):
    return new_deal


@pytest.fixture
def hours():
    def at(offset: float) -> str:
        return (utcnow() + timedelta(hours=offset)).isoformat()

    return at


@pytest.fixture
def taobao_member(make_user):
    user = make_user(email="tb@example.com", name="淘宝会员", tier="member")
    record_member_binding(user, "relation_id", "2876543210")
    db.session.commit()
    return user


def sub_id(user) -> str:
    """The member's sub id (issued now if they have none, and committed)."""
    value = identity_of(user).sub_id
    db.session.commit()
    return value
