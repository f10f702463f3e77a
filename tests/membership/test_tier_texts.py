"""A tier's name and description per language: the one rule that picks them, the service that
changes them, the admin page and the command that set them, and pages that show them."""

from __future__ import annotations

import pytest
from babel import Locale

from community.errors import ValidationFailed
from community.extensions import db
from community.membership.tiers import (
    NAME_MAX,
    set_tier_texts,
    tier_by_slug,
    tier_description,
    tier_name,
)
from tests.helpers import csrf_from, migration_ending, site_on_empty_database

ENGLISH = {"Accept-Language": "en"}


def test_each_language_reads_its_own_text_and_falls_back_to_chinese(app):
    member = tier_by_slug("member")
    assert tier_name(member, Locale.parse("zh_CN")) == "会员"
    assert tier_name(member, Locale("en")) == "Member"
    assert tier_description(member, Locale("en")).startswith("Read every answer")

    set_tier_texts(member, name_en="", description_en="")
    assert tier_name(member, Locale("en")) == "会员"
    assert tier_description(member, Locale("en")) == tier_description(member, Locale.parse("zh_CN"))


def test_the_service_cleans_and_refuses_without_changing_anything(app):
    pro = tier_by_slug("pro")
    set_tier_texts(pro, name="  专业\n会员  ", name_en=" Pro  plan ", description_en="  Plus.  ")
    assert (pro.name, pro.name_en, pro.description_en) == ("专业 会员", "Pro plan", "Plus.")

    with pytest.raises(ValidationFailed) as refused:
        set_tier_texts(
            pro,
            name=" ",
            name_en="x" * (NAME_MAX + 1),
            description="新的说明",
            description_en="bad\x00byte",
        )
    assert {field for field, _reason in refused.value.errors} == {
        "name",
        "name_en",
        "description_en",
    }
    assert (pro.name, pro.name_en, pro.description) != ("", "x" * (NAME_MAX + 1), "新的说明")
    assert pro.description == "会员的一切，外加向专家提问，返利比例更高。"


def test_pricing_shows_the_viewers_language(client):
    chinese = client.get("/pricing").get_data(as_text=True)
    english = client.get("/pricing", headers=ENGLISH).get_data(as_text=True)
    assert "专业会员" in chinese and ">Pro<" not in chinese
    assert ">Pro<" in english and "专业会员" not in english
    assert "Everything a member gets" in english
    assert "优惠信息与返利（返还 50%）" in chinese
    assert "Deal feed and rebates (70% back)" in english


def test_an_admin_sets_both_names_on_the_page(client, login, admin):
    login(client, admin)
    page = client.get("/operator/tiers")
    assert page.status_code == 200
    token = csrf_from(page)
    form = {
        "pro-csrf_token": token,
        "pro-name": "高级会员",
        "pro-name_en": "Premium",
        "pro-description": "向专家提问。",
        "pro-description_en": "Ask an expert.",
    }
    saved = client.post("/operator/tiers/pro", data=form)
    assert saved.status_code == 302
    db.session.expire_all()
    pro = tier_by_slug("pro")
    assert (pro.name, pro.name_en, pro.description_en) == ("高级会员", "Premium", "Ask an expert.")
    assert ">Premium<" in client.get("/pricing", headers=ENGLISH).get_data(as_text=True)
    assert "高级会员" in client.get("/pricing").get_data(as_text=True)


def test_a_bad_name_is_refused_in_the_users_language_and_nothing_is_saved(client, login, admin):
    login(client, admin)
    token = csrf_from(client.get("/operator/tiers"))
    form = {
        "member-csrf_token": token,
        "member-name": "",
        "member-name_en": "Y" * (NAME_MAX + 1),
        "member-description": "新的说明",
        "member-description_en": "NUL\x00here",
    }
    refused = client.post("/operator/tiers/member", data=form)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "等级需要一个名称" in text
    assert f"最多使用 {NAME_MAX} 个字符" in text
    assert "内容包含无法显示的字符" in text
    db.session.expire_all()
    member = tier_by_slug("member")
    assert (member.name, member.name_en) == ("会员", "Member")
    assert member.description != "新的说明"


def test_only_admins_edit_tiers(client, login, operator):
    assert client.get("/operator/tiers").status_code == 302
    login(client, operator)
    assert client.get("/operator/tiers").status_code == 403
    token = csrf_from(client.get("/operator/members"))
    refused = client.post("/operator/tiers/pro", data={"csrf_token": token, "pro-name": "X"})
    assert refused.status_code == 403
    db.session.expire_all()
    assert tier_by_slug("pro").name == "专业会员"


def test_unknown_tier_is_404_for_an_admin(client, login, admin):
    login(client, admin)
    token = csrf_from(client.get("/operator/tiers"))
    assert client.post("/operator/tiers/nope", data={"nope-csrf_token": token}).status_code == 404


def test_the_command_shows_and_sets_texts(app, runner):
    result = runner.invoke(args=["billing", "tier", "member", "--name-en", "Member plan"])
    assert result.exit_code == 0, result.output
    assert "会员 / Member plan" in result.output
    db.session.expire_all()
    assert tier_by_slug("member").name_en == "Member plan"

    refused = runner.invoke(args=["billing", "tier", "member", "--name", " "])
    assert refused.exit_code != 0
    assert "name" in refused.output
    missing = runner.invoke(args=["billing", "tier", "nope"])
    assert missing.exit_code != 0 and "no tier nope" in missing.output


def test_the_migration_names_seeded_tiers_in_english_unless_renamed(app_config, tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import text

    with site_on_empty_database(app_config, tmp_path) as site:
        ours = migration_ending(site, "_tier_names")
        upgrade(revision=ours.down_revision)
        db.session.execute(text("UPDATE tiers SET name = '高级会员' WHERE slug = 'pro'"))
        db.session.commit()
        upgrade(revision=ours.revision)
        rows = db.session.execute(
            text("SELECT slug, name_en, description_en <> '' FROM tiers ORDER BY rank")
        ).all()
        assert [tuple(row) for row in rows] == [
            ("free", "Free", True),
            ("member", "Member", True),
            ("pro", "", False),
        ]
