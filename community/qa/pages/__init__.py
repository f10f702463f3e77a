"""How the Q&A's pages are put together: the question page and the lists (shared renderings
filled per viewer), the heads and rows they read, render versions, and template helpers.

The rules of the knowledge base live in qa/services and qa/access; nothing here decides who
may read what, it only renders what those decided.
"""
