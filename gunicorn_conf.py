"""gunicorn settings: `gunicorn -c gunicorn_conf.py wsgi:app`.

Metrics from every worker: prometheus_client keeps each worker's counters in files under
PROMETHEUS_MULTIPROC_DIR (default `<instance>/prometheus`), which must be set before it is
imported; the folder is emptied when gunicorn starts and a dead worker's gauges are dropped.
"""

import os
import shutil
from pathlib import Path

instance = Path(os.environ.get("INSTANCE_PATH") or Path(__file__).parent / "instance")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(instance / "prometheus"))

from prometheus_client import multiprocess  # noqa: E402 - after the folder is chosen

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request taking longer than this is killed with its worker (a stalled service, a bug).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
