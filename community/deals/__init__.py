"""Deals: items at the shopping platforms with a price, a coupon and an affiliate URL template,
imported or written by operators, shown to members as a feed, and left through go links that
carry the member's affiliate identity to the network.

It stands above membership (who is an active member, their tier's rebate share), affiliate (the
member's sub id and Taobao bindings) and accounts; nothing below imports it.
"""
