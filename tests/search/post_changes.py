"""A writer process for the concurrency test: commits changes one transaction at a time.

Run as `python -m tests.search.post_changes CONFIG_JSON FIRST_ID COUNT`.
"""

from __future__ import annotations

import json
import sys

from community import create_app
from community.extensions import db
from community.search import record_change


def main() -> None:
    app = create_app(json.loads(sys.argv[1]))
    first, count = int(sys.argv[2]), int(sys.argv[3])
    with app.app_context():
        for document_id in range(first, first + count):
            record_change(document_id)
            db.session.commit()


if __name__ == "__main__":
    main()
