"""Sharing a page away from the site: Open Graph tags, generated card images and QR codes.

Nothing here knows a domain: a page gives a title and a teaser it may show to anyone, and an
address; the domain decides what that is and who may see it.
"""
