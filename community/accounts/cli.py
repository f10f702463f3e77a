"""`flask users ...`: create accounts, issue API tokens and change roles from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.accounts import services, tokens
from community.accounts.models import Role
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def user_or_fail(email: str):
    try:
        user = services.find_by_email(services.normalize_email(email))
    except ValidationFailed as failure:
        raise click.ClickException(failure.errors[0][1]) from None
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def fail_with(failure: ValidationFailed) -> None:
    db.session.rollback()
    raise click.ClickException(
        "; ".join(f"{field or 'input'}: {reason}" for field, reason in failure.errors)
    )


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--password", required=True, help="Initial password (strength rules apply).")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.MEMBER.value)
@click.option("--invited-by", "invited_by", help="Email of the member who invited this user.")
def create_user(email: str, name: str, password: str, role: str, invited_by: str | None):
    """Create a verified account."""
    inviter = None
    if invited_by:
        if services.normalize_email(invited_by) == services.normalize_email(email):
            raise click.ClickException("a user cannot invite themself")
        inviter = user_or_fail(invited_by)
    try:
        user = services.register_user(email, name, password, role=role, inviter=inviter)
    except ValidationFailed as failure:
        fail_with(failure)
    user.email_verified_at = utcnow()
    db.session.commit()
    click.echo(f"created user {user.id} <{user.email}> role={user.role}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
def create_token(email: str, name: str):
    """Print a new personal API token for EMAIL."""
    user = user_or_fail(email)
    try:
        _token, raw = tokens.create_api_token(user, name)
    except ValidationFailed as failure:
        fail_with(failure)
    db.session.commit()
    click.echo(raw)


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def set_role(email: str, role: str):
    """Change the role of EMAIL to ROLE."""
    user = user_or_fail(email)
    services.set_role(user, role)
    db.session.commit()
    click.echo(f"user {user.id} <{user.email}> is now {user.role}")
