"""Broken services for outage tests: a TCP gate in front of PostgreSQL that can drop and refuse
connections, and fake Redis servers that refuse connections or accept them and never answer."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


def drop(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class TcpGate:
    """Relays connections to `target`; shut, it drops every relayed connection and closes new
    ones as soon as they arrive (what a restarting server does to its clients)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_open = True
        self.relayed: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.accept_all, daemon=True).start()

    def accept_all(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.is_open:
                drop(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                drop(client)
                continue
            upstream.settimeout(None)
            with self.lock:
                self.relayed |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    def pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            with suppress(OSError):
                while data := source.recv(65536):
                    sink.sendall(data)
        finally:
            with self.lock:
                self.relayed -= {source, sink}
            drop(source)
            drop(sink)

    def shut(self) -> None:
        self.is_open = False
        with self.lock:
            relayed, self.relayed = list(self.relayed), set()
        for sock in relayed:
            drop(sock)

    def reopen(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.shut()
        self.listener.close()


class HungServer:
    """Accepts connections and never answers: a Redis that was stopped (SIGSTOP), not killed."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self.hold_all, daemon=True).start()

    def hold_all(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            self.held.append(client)

    def close(self) -> None:
        self.listener.close()
        for sock in self.held:
            drop(sock)


def closed_port() -> int:
    """A port nothing listens on (connections are refused): a Redis that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
