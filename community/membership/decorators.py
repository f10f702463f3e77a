"""View decorators for what a membership allows: members only, or one entitlement."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from community.membership.entitlements import is_member, may
from community.security import login_required_view


def entitlement_required(entitlement: str):
    """Allow the view only to users whose tier grants `entitlement` now."""

    def decorator(view):
        @login_required_view
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not may(current_user, entitlement):
                abort(403, description=_("This is for members. Join to unlock it."))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def member_required(view):
    """Allow the view only to users with an active paid tier (or staff)."""

    @login_required_view
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_member(current_user):
            abort(403, description=_("This is for members. Join to unlock it."))
        return view(*args, **kwargs)

    return wrapped
