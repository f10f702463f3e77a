"""Account rules: registration, sign-in, passwords, email changes, profile and roles."""

from __future__ import annotations

import logging
import secrets
import unicodedata

from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.accounts import invites, session_values, tokens
from community.accounts.models import Role, User
from community.accounts.passwords import hash_password, password_problems, verify_password
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.numbers import parse_id, parse_int

log = logging.getLogger(__name__)

signals = Namespace()
# Sent with the user inside the transaction of a password reset: areas that hand out their own
# credentials (private feed links) end them here.
password_reset = signals.signal("password-reset")

NAME_MIN, NAME_MAX = 2, 40
INVITE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LOCALES = ("zh_CN", "en")


def normalize_email(raw: str | None, field: str = "email") -> str:
    """Fold full-width forms, validate the syntax and lower-case the address."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise ValidationFailed([(field, str(_l("Enter your email address.")))])
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed([(field, str(_l("This is not a valid email address.")))]) from None
    return result.normalized.lower()


def email_key(raw: str | None) -> str:
    """An address as sign-in folds it, also for text that is not a valid address (rate limits)."""
    try:
        return normalize_email(raw)
    except ValidationFailed:
        return unicodedata.normalize("NFKC", raw or "").strip().lower()[:254]


def clean_name(raw: str | None) -> str:
    name = " ".join(unicodedata.normalize("NFKC", raw or "").split())
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ValidationFailed(
            [("name", str(_l("The name contains characters that cannot be shown.")))]
        )
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationFailed(
            [("name", str(_l("Use %(min)d to %(max)d characters.", min=NAME_MIN, max=NAME_MAX)))]
        )
    return name


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def random_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(8))


def new_invite_code() -> str:
    return new_invite_codes(1)[0]


def new_invite_codes(count: int) -> list[str]:
    """`count` different invite codes no account has, asked in one query (again for a code
    drawn twice or taken)."""
    codes: set[str] = set()
    while len(codes) < count:
        drawn = {random_invite_code() for _ in range(count - len(codes))} - codes
        taken = db.session.scalars(select(User.invite_code).where(User.invite_code.in_(drawn)))
        codes |= drawn - set(taken)
    return list(codes)


def register_user(
    email: str,
    name: str,
    password: str | None,
    *,
    inviter: User | None = None,
    role: str = Role.MEMBER,
    locale: str | None = None,
) -> User:
    """Create an account; `password=None` makes one that cannot sign in until a reset."""
    errors: list[tuple[str | None, str]] = []
    try:
        email = normalize_email(email)
    except ValidationFailed as failure:
        errors += failure.errors
    try:
        name = clean_name(name)
    except ValidationFailed as failure:
        errors += failure.errors
    if password is not None:
        errors += [("password", reason) for reason in password_problems(password, email, name)]
    if role not in tuple(Role):
        errors.append(("role", str(_l("Unknown role."))))
    if not any(field == "email" for field, _ in errors) and find_by_email(email):
        errors.append(("email", str(_l("An account with this email already exists."))))
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password is not None else None,
        role=role,
        locale=locale if locale in LOCALES else None,
        invite_code=new_invite_code(),
    )
    db.session.add(user)
    db.session.flush()
    if inviter is not None:
        invites.bind_inviter(user, inviter)
    log.info("registered user %s (%s)", user.id, user.email)
    return user


def register_without_passwords(people: dict[str, str]) -> list[User]:
    """Accounts that cannot sign in until a reset for many people at once (an import's new
    authors, email → name), checked as `register_user` checks one, in a few statements."""
    checked: dict[str, str] = {}
    errors: list[tuple[str | None, str]] = []
    for email, name in people.items():
        try:
            checked[normalize_email(email)] = clean_name(name)
        except ValidationFailed as failure:
            errors += failure.errors
    present = select(User.id).where(func.lower(User.email).in_(list(checked)))
    if checked and db.session.scalars(present.limit(1)).first() is not None:
        errors.append(("email", str(_l("An account with this email already exists."))))
    if errors:
        raise ValidationFailed(errors)
    users = [
        User(email=email, name=name, password_hash=None, role=Role.MEMBER, invite_code=code)
        for (email, name), code in zip(checked.items(), new_invite_codes(len(checked)), strict=True)
    ]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        log.info("registered user %s (%s)", user.id, user.email)
    return users


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose email and password match, upgrading an outdated hash."""
    try:
        email = normalize_email(email)
    except ValidationFailed:
        return None
    user = find_by_email(email)
    if user is None:
        # Spend the same time as a real check so timing does not reveal which emails exist.
        verify_password(_dummy_hash(), password)
        return None
    matches, needs_rehash = verify_password(user.password_hash, password)
    if not matches:
        return None
    if needs_rehash:
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


_DUMMY = {}


def _dummy_hash() -> str:
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = hash_password(secrets.token_hex(16))
    return _DUMMY["hash"]


def set_password(user: User, password: str) -> None:
    """Replace the password and end every other session of this user."""
    problems = password_problems(password, user.email, user.name)
    if problems:
        raise ValidationFailed([("password", reason) for reason in problems])
    user.password_hash = hash_password(password)
    user.session_epoch += 1


def reset_password(user: User, password: str) -> None:
    """Set a password through an emailed link, ending everything the old one opened: every
    session, every API token, and whatever other areas tie to it (`password_reset` receivers,
    such as private feed links). The link proved the address, so it is verified too."""
    set_password(user, password)
    tokens.revoke_all_api_tokens(user)
    user.email_verified_at = user.email_verified_at or utcnow()
    password_reset.send(user)


def change_password(user: User, current: str, new: str) -> None:
    matches, _ = verify_password(user.password_hash, current)
    if not matches:
        raise ValidationFailed([("current_password", str(_l("The current password is wrong.")))])
    if current == new:
        raise ValidationFailed(
            [("password", str(_l("The new password is the same as the current one.")))]
        )
    set_password(user, new)


def check_new_email(user: User, new_email: str, password: str) -> str:
    """Validate an email change request and return the normalised new address."""
    matches, _ = verify_password(user.password_hash, password)
    if not matches:
        raise ValidationFailed([("current_password", str(_l("The current password is wrong.")))])
    email = normalize_email(new_email)
    if email == user.email:
        raise ValidationFailed([("email", str(_l("This is already your email address.")))])
    if find_by_email(email):
        raise ValidationFailed([("email", str(_l("An account with this email already exists.")))])
    return email


def apply_new_email(user: User, email: str) -> None:
    if find_by_email(email):
        raise ValidationFailed([("email", str(_l("An account with this email already exists.")))])
    user.email = email
    user.email_verified_at = utcnow()


def update_profile(user: User, name: str, locale: str | None) -> None:
    user.name = clean_name(name)
    if locale and locale not in LOCALES:
        raise ValidationFailed([("locale", str(_l("Unknown language.")))])
    user.locale = locale or None


def set_role(user: User, role: str, actor: User | None = None) -> None:
    """Change a user's role; only admins (or the command line, actor=None) may."""
    if actor is not None and not actor.is_admin:
        raise NotAllowed(str(_l("Only administrators can change roles.")))
    if role not in tuple(Role):
        raise ValidationFailed([("role", str(_l("Unknown role.")))])
    log.info(
        "role of user %s: %s -> %s (by %s)", user.id, user.role, role, actor.id if actor else "cli"
    )
    user.role = role


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<epoch>:<sign-in key>", so a password change ends every
    older session and signing out ends this one."""
    parts = session_id.split(":")
    if len(parts) != 3:
        return None
    raw_id, raw_epoch, key = parts
    user_id, epoch = parse_id(raw_id), parse_int(raw_epoch, 0)
    if user_id is None or epoch is None or not key or len(key) > 64:
        return None
    user = session_values.load_user(user_id, key)
    if user is None or user.session_epoch != epoch:
        return None
    return user
