"""Account rules without HTTP."""

from datetime import timedelta

import pytest
import time_machine

from community.accounts import invites, services, sign_ins, tokens
from community.accounts.models import Role, User
from community.accounts.passwords import verify_password
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from tests.conftest import PASSWORD


def fields(failure: ValidationFailed) -> set:
    return {field for field, _ in failure.errors}


def test_register_normalises_email_and_hashes_password(app):
    user = services.register_user("  Ｌｉ.Ming＠Example.COM ", "  李  明 ", PASSWORD)
    assert user.email == "li.ming@example.com"
    assert user.name == "李 明"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD) == (True, False)
    assert user.role == Role.MEMBER
    assert len(user.invite_code) == 8


def test_register_refuses_duplicate_email_case_insensitively(app, make_user):
    make_user(email="taken@example.com")
    with pytest.raises(ValidationFailed) as failure:
        services.register_user("TAKEN@example.com", "另一个人", PASSWORD)
    assert fields(failure.value) == {"email"}


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", ""])
def test_register_refuses_malformed_email(app, email):
    with pytest.raises(ValidationFailed) as failure:
        services.register_user(email, "名字", PASSWORD)
    assert fields(failure.value) == {"email"}


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "12345678",
        "password123",
        "woaini1314",
        "aaaaaaaaaa",
        "1234512345",
        "wangxiaoming-pw",
    ],
)
def test_register_refuses_weak_passwords(app, password):
    with pytest.raises(ValidationFailed) as failure:
        services.register_user("wangxiaoming@example.com", "小明", password)
    assert fields(failure.value) == {"password"}


def test_register_reports_every_problem_at_once(app):
    with pytest.raises(ValidationFailed) as failure:
        services.register_user("bad", "x", "123")
    assert fields(failure.value) == {"email", "name", "password"}
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("name", ["a", "x" * 41, "bad\u0000name", "   "])
def test_register_refuses_bad_display_names(app, name):
    with pytest.raises(ValidationFailed) as failure:
        services.register_user("ok@example.com", name, PASSWORD)
    assert "name" in fields(failure.value)


def test_many_accounts_without_passwords_are_checked_as_one(app, make_user):
    users = services.register_without_passwords(
        {"Ｌｉ.Ming＠Example.COM": "  李  明 ", "wang@example.com": "小王"}
    )
    assert [(user.email, user.name) for user in users] == [
        ("li.ming@example.com", "李 明"),
        ("wang@example.com", "小王"),
    ]
    assert all(user.password_hash is None and user.role == Role.MEMBER for user in users)
    assert len({user.invite_code for user in users}) == 2
    assert services.authenticate("wang@example.com", PASSWORD) is None
    make_user(email="taken@example.com")
    with pytest.raises(ValidationFailed) as failure:
        services.register_without_passwords({"new@example.com": "新", "TAKEN@example.com": "某人"})
    assert fields(failure.value) == {"email", "name"}
    assert services.find_by_email("new@example.com") is None


def test_invite_codes_drawn_twice_or_taken_are_drawn_again(app, make_user, monkeypatch):
    taken = make_user().invite_code
    draws = iter([taken, taken, "freshcod", "freshcod", "othercod"])
    monkeypatch.setattr(services, "random_invite_code", lambda: next(draws))
    assert sorted(services.new_invite_codes(2)) == ["freshcod", "othercod"]


def test_authenticate(app, make_user):
    user = make_user(email="login@example.com")
    assert services.authenticate("LOGIN@example.com", PASSWORD) == user
    assert user.last_login_at is not None
    assert services.authenticate("login@example.com", "wrong password") is None
    assert services.authenticate("nobody@example.com", PASSWORD) is None
    assert services.authenticate("not an email", PASSWORD) is None


def test_account_without_password_cannot_sign_in(app):
    services.register_user("imported@example.com", "导入用户", None)
    assert services.authenticate("imported@example.com", "") is None
    assert services.authenticate("imported@example.com", PASSWORD) is None


def test_outdated_hash_is_upgraded_on_login(app, make_user):
    user = make_user()
    old_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    services.authenticate(user.email, PASSWORD)
    assert user.password_hash != old_hash
    assert "t=2" in user.password_hash


def test_change_password_checks_current_and_ends_other_sessions(app, make_user):
    user = make_user()
    sign_ins.open_sign_in(user)
    epoch = user.session_epoch
    with pytest.raises(ValidationFailed) as failure:
        services.change_password(user, "wrong", "a new strong passphrase")
    assert fields(failure.value) == {"current_password"}
    with pytest.raises(ValidationFailed):
        services.change_password(user, PASSWORD, PASSWORD)
    services.change_password(user, PASSWORD, "a new strong passphrase")
    assert user.session_epoch == epoch + 1
    assert services.load_session_user(f"{user.id}:{epoch}:{user.sign_in_key}") is None
    assert services.load_session_user(user.get_id()) == user


@pytest.mark.parametrize(
    "session_id", ["", "abc", "1", "1:x", "x:1", "999:0", "1:0", "1:0:", "1:0:key:more", "999:0:k"]
)
def test_session_loader_refuses_malformed_ids(app, make_user, session_id):
    sign_ins.open_sign_in(make_user())
    assert services.load_session_user(session_id) is None


def test_a_session_loads_only_under_its_own_live_sign_in(app, make_user):
    user, other = make_user(), make_user()
    sign_ins.open_sign_in(other)
    others_key = other.sign_in_key
    sign_ins.open_sign_in(user)
    first = user.get_id()
    sign_ins.open_sign_in(user)
    second = user.get_id()
    db.session.commit()
    assert services.load_session_user(first) == user
    assert services.load_session_user(f"{user.id}:{user.session_epoch}:{others_key}") is None
    assert services.load_session_user(f"{user.id}:{user.session_epoch}:not-a-key") is None
    sign_ins.end_sign_in(services.load_session_user(first))
    db.session.commit()
    assert services.load_session_user(first) is None
    assert services.load_session_user(second) == user


def test_a_reset_ends_sessions_api_tokens_and_feed_links(app, make_user):
    from community.feeds import services as feeds

    user, bystander = make_user(tier="member"), make_user(tier="member")
    sign_ins.open_sign_in(user)
    session_id = user.get_id()
    tokens.create_api_token(user, "脚本")
    _token, raw = tokens.create_api_token(user, "另一个")
    _token, kept = tokens.create_api_token(bystander, "旁人")
    feed = feeds.rotate_token(user)
    feeds.rotate_token(bystander)
    link = feeds.url_token(feed)
    db.session.commit()
    assert tokens.user_for_api_token(raw) == user and feeds.user_for_token(link) == user

    services.reset_password(user, "a new strong passphrase")
    db.session.commit()
    assert services.load_session_user(session_id) is None
    assert tokens.user_for_api_token(raw) is None
    assert all(not token.is_active for token in tokens.api_tokens_of(user))
    assert feeds.user_for_token(link) is None and feeds.active_token(user) is None
    assert tokens.user_for_api_token(kept) == bystander
    assert feeds.active_token(bystander) is not None


class TestEmailTokens:
    def test_token_is_single_use(self, app, make_user):
        user = make_user()
        raw = tokens.issue_email_token(user, tokens.RESET_PASSWORD)
        assert tokens.consume_email_token(raw, tokens.RESET_PASSWORD).user == user
        with pytest.raises(tokens.LinkInvalid) as invalid:
            tokens.consume_email_token(raw, tokens.RESET_PASSWORD)
        assert invalid.value.status == 410

    def test_token_expires(self, app, make_user):
        user = make_user()
        raw = tokens.issue_email_token(user, tokens.RESET_PASSWORD)
        later = utcnow() + timedelta(hours=app.config["RESET_TOKEN_HOURS"], minutes=1)
        with time_machine.travel(later, tick=False), pytest.raises(tokens.LinkInvalid) as invalid:
            tokens.consume_email_token(raw, tokens.RESET_PASSWORD)
        assert invalid.value.status == 410

    def test_token_is_bound_to_its_purpose_and_stored_hashed(self, app, make_user):
        user = make_user()
        raw = tokens.issue_email_token(user, tokens.VERIFY_EMAIL)
        from community.accounts.models import EmailToken

        stored = db.session.query(EmailToken).one()
        assert stored.token_hash != raw and raw not in stored.token_hash
        with pytest.raises(tokens.LinkInvalid) as invalid:
            tokens.consume_email_token(raw, tokens.RESET_PASSWORD)
        assert invalid.value.status == 404

    def test_new_token_ends_the_previous_one(self, app, make_user):
        user = make_user()
        first = tokens.issue_email_token(user, tokens.RESET_PASSWORD)
        second = tokens.issue_email_token(user, tokens.RESET_PASSWORD)
        with pytest.raises(tokens.LinkInvalid):
            tokens.consume_email_token(first, tokens.RESET_PASSWORD)
        assert tokens.consume_email_token(second, tokens.RESET_PASSWORD)

    @pytest.mark.parametrize("raw", ["", "nonsense", "x" * 500])
    def test_unknown_tokens(self, app, raw):
        with pytest.raises(tokens.LinkInvalid) as invalid:
            tokens.consume_email_token(raw, tokens.VERIFY_EMAIL)
        assert invalid.value.status == 404


class TestInvites:
    def test_binding_is_for_life(self, app, make_user):
        inviter, other = make_user(), make_user()
        newcomer = make_user(inviter=inviter)
        assert newcomer.inviter == inviter
        with pytest.raises(ValidationFailed):
            invites.bind_inviter(newcomer, other)
        assert newcomer.inviter_id == inviter.id

    def test_cannot_invite_oneself(self, app, make_user):
        user = make_user()
        with pytest.raises(ValidationFailed) as failure:
            invites.bind_inviter(user, user)
        assert "yourself" in failure.value.errors[0][1] or "自己" in failure.value.errors[0][1]
        assert user.inviter_id is None

    def test_cannot_form_a_cycle(self, app, make_user):
        a = make_user()
        b = make_user(inviter=a)
        c = make_user(inviter=b)
        a_again = db.session.get(User, a.id)
        with pytest.raises(ValidationFailed):
            invites.bind_inviter(a_again, c)
        assert a_again.inviter_id is None

    def test_database_refuses_self_invite_too(self, app, make_user):
        from sqlalchemy.exc import IntegrityError

        user = make_user()
        user.inviter_id = user.id
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()

    def test_lookup_by_code(self, app, make_user):
        user = make_user()
        assert invites.inviter_by_code(user.invite_code.upper()) == user
        assert invites.inviter_by_code("") is None
        assert invites.inviter_by_code("nope") is None
        assert invites.inviter_by_code("x" * 300) is None


class TestApiTokens:
    def test_create_use_revoke(self, app, member):
        token, raw = tokens.create_api_token(member, "脚本")
        assert raw.startswith("cm_") and token.token_hash != raw
        assert tokens.user_for_api_token(raw) == member
        assert token.last_used_at is not None
        tokens.revoke_api_token(member, token.id)
        assert tokens.user_for_api_token(raw) is None

    def test_someone_elses_token_cannot_be_revoked(self, app, member, mallory):
        token, raw = tokens.create_api_token(member, "mine")
        with pytest.raises(NotAllowed):
            tokens.revoke_api_token(mallory, token.id)
        assert tokens.user_for_api_token(raw) == member

    @pytest.mark.parametrize("name", ["", "   ", "x" * 61])
    def test_token_needs_a_name(self, app, member, name):
        with pytest.raises(ValidationFailed):
            tokens.create_api_token(member, name)

    @pytest.mark.parametrize("raw", ["", "cm_", "cm_unknown", "ghp_abc", "cm_" + "x" * 200])
    def test_unknown_and_malformed_tokens(self, app, raw):
        assert tokens.user_for_api_token(raw) is None


def test_set_role_only_by_admin(app, make_user, admin, operator):
    user = make_user()
    with pytest.raises(NotAllowed):
        services.set_role(user, Role.OPERATOR, actor=operator)
    with pytest.raises(ValidationFailed):
        services.set_role(user, "superuser", actor=admin)
    services.set_role(user, Role.OPERATOR, actor=admin)
    assert user.is_operator and not user.is_admin


def test_email_change_rules(app, make_user):
    user = make_user(email="me@example.com")
    make_user(email="taken@example.com")
    with pytest.raises(ValidationFailed) as failure:
        services.check_new_email(user, "new@example.com", "wrong")
    assert fields(failure.value) == {"current_password"}
    with pytest.raises(ValidationFailed):
        services.check_new_email(user, "taken@example.com", PASSWORD)
    with pytest.raises(ValidationFailed):
        services.check_new_email(user, "ME@example.com", PASSWORD)
    assert services.check_new_email(user, "New@Example.com", PASSWORD) == "new@example.com"
