"""Password hashing (Argon2id) and the strength rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MAX_LENGTH = 128

# The most common passwords in leaked Chinese and English lists; a full list lives with the
# attackers, this one stops the ones every guesser tries first.
COMMON_PASSWORDS = frozenset(
    """
    123456 123456789 12345678 1234567890 111111 000000 123123 666666 888888 88888888 112233
    123321 654321 5201314 1314520 woaini woaini1314 woaini520 iloveyou password password1
    password123 passw0rd qwerty qwerty123 qwertyuiop abc123 abc123456 a123456 a12345678
    aa123456 qq123456 qq5201314 1qaz2wsx 1q2w3e4r 1q2w3e4r5t zxcvbnm asdfghjkl 147258369
    123456abc abcd1234 admin admin123 root123 welcome welcome1 letmein monkey dragon sunshine
    princess football baseball superman trustno1 11111111 12341234 12344321 87654321 99999999
    wang123456 li123456 zhang123456 huang123 wodemima mima123 mima1234 huawei123 xiaomi123
    baidu123 taobao123 weixin123 wechat123 alipay123 community community1 shequ123
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """Return (matches, needs_rehash) for `password` against a stored hash."""
    if not password_hash:
        return False, False
    ph = hasher()
    try:
        ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, ph.check_needs_rehash(password_hash)


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Reasons `password` is too weak, in the user's language; empty when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return [str(_l("Use at least %(count)d characters.", count=minimum))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(count)d characters.", count=MAX_LENGTH))]
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered.rstrip("!.") in COMMON_PASSWORDS:
        return [str(_l("This password is one of the most common ones; choose another."))]
    if len(set(password)) < 5:
        return [str(_l("Use more different characters."))]
    if password.isdigit():
        return [str(_l("Do not use only digits; add letters or symbols."))]
    local_part = email.split("@")[0].lower()
    for personal in (local_part, name.lower()):
        if len(personal) >= 3 and personal in lowered:
            return [str(_l("Do not use your email or name in your password."))]
    return []
