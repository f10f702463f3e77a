"""The same item is recognised however its link was copied."""

from __future__ import annotations

import pytest

from community.deals.items import item_key
from tests.helpers import migration_ending, site_on_empty_database


@pytest.mark.parametrize(
    "urls, key",
    [
        (
            [
                "https://item.taobao.com/item.htm?id=675432109876",
                "https://item.taobao.com/item.htm?spm=a21n57.1.0.0.4f2a523c&id=675432109876&ns=1",
                "https://h5.m.taobao.com/awp/core/detail.htm?id=675432109876",
                "https://detail.tmall.com/item.htm?id=675432109876&skuId=5012345",
                "https://uland.taobao.com/coupon/edetail?itemId=675432109876&pid=mm_1_2_{adzone_id}",
            ],
            "taobao:675432109876",
        ),
        (
            [
                "https://item.jd.com/100012043978.html",
                "https://item.m.jd.com/product/100012043978.html?utm_source=weixin&utm_term=x",
                "https://union-click.jd.com/jdc?sku=100012043978&subUnionId={sub_id}",
                "https://npcitem.jd.hk/100012043978.html",
            ],
            "jd:100012043978",
        ),
        (
            [
                "https://mobile.yangkeduo.com/goods.html?goods_id=312345678901",
                "https://mobile.yangkeduo.com/goods2.html?goods_id=312345678901&refer_page_name=index",
                "https://mobile.yangkeduo.com/duo_coupon_landing.html?goods_id=312345678901&customParameters={sub_id}",
            ],
            "pdd:312345678901",
        ),
        (
            [
                "https://shop.example.com/p/42?color=red&utm_campaign=spring",
                "https://SHOP.example.com/p/42/?gclid=abc&color=red",
            ],
            "shop.example.com/p/42?color=red",
        ),
    ],
)
def test_one_item_however_it_was_linked(urls, key):
    assert {item_key(url) for url in urls} == {key}


def test_different_items_stay_different():
    keys = {
        item_key("https://item.taobao.com/item.htm?id=675432109876"),
        item_key("https://item.taobao.com/item.htm?id=675432109877"),
        item_key("https://item.jd.com/675432109876.html"),
        item_key("https://shop.example.com/p/42?color=red"),
        item_key("https://shop.example.com/p/42?color=blue"),
        item_key("https://s.click.taobao.com/t?e=m%3D2%26s%3Dabc"),
    }
    assert len(keys) == 6


def test_a_key_fits_its_column():
    assert len(item_key("https://shop.example.com/" + "x" * 400)) == 255


def test_the_migration_works_the_keys_out_again(app_config, tmp_path, make_user):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from community.deals.member_models import DealTip
    from community.extensions import db
    from community.membership.tiers import seed_default_tiers
    from tests.deals.conftest import new_deal

    with site_on_empty_database(app_config, tmp_path) as site:
        ours = migration_ending(site, "_item_keys")
        upgrade(revision=ours.down_revision)
        seed_default_tiers()
        deal = new_deal(url="https://union-click.jd.com/jdc?sku=100012043978&subUnionId={sub_id}")
        member = make_user()
        for number, url in enumerate(
            (
                "https://item.jd.com/100055555555.html",
                "https://item.m.jd.com/product/100055555555.html",
            )
        ):
            db.session.add(
                DealTip(
                    user_id=member.id,
                    url=url,
                    item_key=f"old-{number}",
                    pending_key=f"old-{number}",
                    title="好价",
                    price=100,
                )
            )
        db.session.execute(text("UPDATE deals SET item_key = 'old'"))
        db.session.commit()
        upgrade(revision=ours.revision)
        assert db.session.scalar(text(f"SELECT item_key FROM deals WHERE id = {deal.id}")) == (
            "jd:100012043978"
        )
        tips = db.session.execute(
            text("SELECT item_key, pending_key FROM deal_tips ORDER BY id")
        ).all()
        # The second waiting tip of the same item keeps its old pending key (both stay unique).
        assert [tuple(row) for row in tips] == [
            ("jd:100055555555", "jd:100055555555"),
            ("jd:100055555555", "old-1"),
        ]
