"""`flask users ...` and `flask demo seed` through the CLI runner."""

from community.accounts import tokens
from community.accounts.models import User
from community.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import zh


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_create_user_with_role_and_inviter(runner, member):
    result = invoke(
        runner,
        "users",
        "create",
        "cli@example.com",
        "--name",
        "命令行用户",
        "--password",
        PASSWORD,
        "--role",
        "operator",
        "--invited-by",
        member.email,
    )
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="cli@example.com").one()
    assert user.role == "operator" and user.inviter_id == member.id and user.is_verified


def test_create_user_refuses_bad_input_and_writes_nothing(runner, member):
    cases = [
        (
            "taken",
            [member.email, "--name", "重复", "--password", PASSWORD],
            zh("An account with this email already exists."),
        ),
        ("weak", ["weak@example.com", "--name", "弱密码", "--password", "123456"], "password"),
        (
            "self",
            [
                "self@example.com",
                "--name",
                "自己",
                "--password",
                PASSWORD,
                "--invited-by",
                "self@example.com",
            ],
            "cannot invite themself",
        ),
        (
            "no inviter",
            [
                "x@example.com",
                "--name",
                "某人",
                "--password",
                PASSWORD,
                "--invited-by",
                "ghost@example.com",
            ],
            "no user",
        ),
        ("bad email", ["not-an-email", "--name", "某人", "--password", PASSWORD], "email"),
    ]
    for label, args, expected in cases:
        result = invoke(runner, "users", "create", *args)
        assert result.exit_code != 0, label
        assert expected in result.output, (label, result.output)
    assert db.session.query(User).count() == 1


def test_token_command_prints_a_working_token(runner, member, client):
    result = invoke(runner, "users", "token", member.email)
    assert result.exit_code == 0
    raw = result.output.strip()
    assert tokens.user_for_api_token(raw) == member
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).get_json()
    assert me["email"] == member.email


def test_set_role(runner, member):
    assert invoke(runner, "users", "set-role", member.email, "admin").exit_code == 0
    db.session.expire_all()
    assert member.is_admin
    bad = invoke(runner, "users", "set-role", member.email, "emperor")
    assert bad.exit_code != 0
    missing = invoke(runner, "users", "set-role", "ghost@example.com", "admin")
    assert missing.exit_code != 0 and "no user" in missing.output


def test_demo_seed_is_idempotent(runner):
    first = invoke(runner, "demo", "seed")
    assert first.exit_code == 0 and "6 accounts created" in first.output
    second = invoke(runner, "demo", "seed")
    assert "0 accounts created" in second.output
    assert db.session.query(User).count() == 6
    member = db.session.query(User).filter_by(email="member@example.com").one()
    assert member.inviter.email == "pro@example.com"
    skipped = invoke(runner, "demo", "seed", "--if-empty")
    assert "skipped" in skipped.output


def test_demo_seed_is_refused_in_production(app, runner):
    app.config["ENV_NAME"] = "production"
    refused = invoke(runner, "demo", "seed")
    assert refused.exit_code == 1
    assert "refused" in refused.output and "COMMUNITY_ENV=production" in refused.output
    assert invoke(runner, "demo", "seed", "--if-empty").exit_code == 1
    assert db.session.query(User).count() == 0
