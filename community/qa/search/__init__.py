"""The Q&A's adapter to the search subsystem: its `SearchSource` (what a question looks like
to the index, and who may list it) and the /search, /api/v1/search and /qa/similar views.

The search engine itself is community/search; the Q&A's rules (who may read what) are in
qa/access.py, which these views pass along as the reader.
"""
