"""Rebate pages: members' (/rebates) and operators' (/operator/rebates)."""

from community.rebates.views.member import member_bp
from community.rebates.views.operator import operator_bp

__all__ = ["member_bp", "operator_bp"]
