"""A search worker whose source loads slowly, for the test that kills it mid-batch.

Run as `python -m tests.search.slow_worker CONFIG_JSON`; prints "loading N" before each load.
"""

from __future__ import annotations

import json
import sys
import time

from community import create_app
from community.search import register_source
from community.search.outbox import apply_all
from community.search.service import search_service
from tests.search.corpus import CorpusSource


class SlowSource(CorpusSource):
    def load(self, ids):
        print(f"loading {len(ids)}", flush=True)
        time.sleep(0.3)
        return super().load(ids)


def main() -> None:
    app = create_app(json.loads(sys.argv[1]))
    register_source(app, SlowSource())
    with app.app_context():
        apply_all(search_service().backend, batch_size=10)
    print("done", flush=True)


if __name__ == "__main__":
    main()
