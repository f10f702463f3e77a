"""The services bench/load.py runs against, each its own: a throwaway PostgreSQL cluster
(initdb and pg_ctl in a temporary folder, on a port of its own; the machine's server is never
touched), a redis-server on its own port, gunicorn with two workers and the search worker."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from qa_pages import ROOT, free_port

log = logging.getLogger("bench.load")
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_tool(name: str) -> str:
    found = shutil.which(name) or str(PG_BIN / name)
    if not Path(found).exists():
        raise SystemExit(f"this bench needs PostgreSQL's {name} (apt-get install postgresql)")
    return found


class PostgresCluster:
    """A PostgreSQL cluster of the bench's own, started and restarted with pg_ctl."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="load-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        # initdb and postgres refuse to run as root: the cluster belongs to `postgres`.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(
            postgres_tool("initdb"), "-D", self.data, "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale", "C", "--no-sync",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our own arguments
            [*self.as_owner, *map(str, command)], check=True, capture_output=True
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c max_connections=200"
        )
        self.run(
            postgres_tool("pg_ctl"), "-D", self.data, "-o", options,
            "-l", self.folder / "postgres.log", "-w", *extra, action,
        )  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    """A redis-server on a port of its own: killed, restarted, or stopped (hung) and resumed."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("this bench needs redis-server (apt-get install redis-server)")
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            self.resume()
            self.kill()


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


class Site:
    """gunicorn (gunicorn_conf.py, two workers) and `flask search worker`, in production mode."""

    def __init__(self, folder: Path, database_url: str, redis_url: str) -> None:
        self.port = free_port()
        self.folder = folder
        self.log_path = folder / "site.log"
        self.env = {
            **os.environ,
            "COMMUNITY_ENV": "production",
            # bench/qa_pages.py signs the seeded reader's session cookie with this secret.
            "SECRET_KEY": "bench-secret-of-at-least-32-characters",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "INSTANCE_PATH": str(folder),
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "DATABASE_CONNECT_TIMEOUT": "2",
            "DATABASE_RETRY_AFTER": "2",
            "REDIS_TIMEOUT": "0.5",
            # Sign-in attempts are part of the mix (they reach Redis); never the limit itself.
            "LOGIN_LIMIT_PER_IP": "1000000 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": "1000000 per minute",
            "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute",
            "FLASK_APP": "community",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("MAIL_URL", "STRIPE_SECRET_KEY", "PROMETHEUS_MULTIPROC_DIR"):
            self.env.pop(name, None)
        self.gunicorn: subprocess.Popen | None = None
        self.indexer: subprocess.Popen | None = None
        self.log = self.log_path.open("ab")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def flask(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own interpreter and flask
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT, env=self.env, check=True, stdout=self.log, stderr=self.log,
        )  # fmt: skip

    def start(self) -> None:
        self.gunicorn = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn_conf.py", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
        )  # fmt: skip
        self.start_indexer()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=30).close()  # noqa: S310
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the site did not become ready; see " + str(self.log_path))

    def start_indexer(self) -> None:
        self.indexer = subprocess.Popen(  # noqa: S603 - our own interpreter and flask
            [sys.executable, "-m", "flask", "search", "worker"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log,
        )  # fmt: skip

    def kill_indexer(self) -> None:
        self.indexer.kill()
        self.indexer.wait()

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def close(self) -> None:
        for process in (self.indexer, self.gunicorn):
            if process and process.poll() is None:
                process.terminate()
        for process in (self.indexer, self.gunicorn):
            if process:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.log.close()
