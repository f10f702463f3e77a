"""Each member's identity at the affiliate networks: the opaque sub id their go links carry,
and the Taobao bindings (推广位 adzone, 渠道关系ID, 会员运营ID) that orders come back with.

Deals fill go links from it; rebates match imported orders to members by it. It knows
nothing of either.
"""
