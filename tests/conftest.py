"""Shared fixtures: the real-world corpus, a real local HTTP server, settings in a temp dir.

No test touches the network: feeds are served from loopback by `FeedServer`, which speaks
ETag / Last-Modified / 304 like a well-behaved publisher and records every request.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tracker.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALWORLD = ROOT.parent / "shared" / "realworld"


_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the network: any host name but loopback fails to resolve at once
    (real-world feeds link to real hosts)."""
    real = socket.getaddrinfo

    def loopback_only(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in _LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture(scope="session")
def realworld() -> Path:
    """../shared/realworld; skipped when absent, except under CI where absence fails."""
    if REALWORLD.is_dir():
        return REALWORLD
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{REALWORLD} is missing; CI must run with ../shared beside the repository")
    pytest.skip(f"{REALWORLD} not present")


@dataclass
class Request:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    status: int
    user_agent: str | None = None
    accept_encoding: str | None = None


# A scripted answer: (status, headers, body).
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class FeedServer:
    """Serves files under `root` at http://127.0.0.1:<port>/<relative path>."""

    root: Path
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    content_types: dict[str, str] = field(default_factory=dict)  # suffix → type override
    # path → answers given in turn (the last one repeats), instead of a file
    routes: dict[str, list[Answer]] = field(default_factory=dict)

    def url(self, relative: str) -> str:
        return f"http://127.0.0.1:{self.port}/{relative}"


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            relative = self.path.split("?", 1)[0].lstrip("/")
            target = (server.root / relative).resolve()
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if relative in server.routes:
                answers = server.routes[relative]
                status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
                self._record(relative, inm, ims, status)
                self.send_response(status)
                trickle = float(headers.get("X-Trickle", "0"))  # seconds per 8 bytes
                hang = float(headers.get("X-Hang", "0"))  # seconds before the body
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                time.sleep(hang)
                if not trickle:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 8):
                    self.wfile.write(body[start : start + 8])
                    self.wfile.flush()
                    time.sleep(trickle)
                return
            if not target.is_file() or server.root.resolve() not in target.parents:
                self._finish(relative, inm, ims, 404, b"not found", "text/plain")
                return
            body = target.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(target.stat().st_mtime, usegmt=True)
            if inm == etag or (inm is None and ims == modified):
                self._finish(relative, inm, ims, 304, b"", None, etag, modified)
                return
            ctype = server.content_types.get(target.suffix, "application/xml")
            self._finish(relative, inm, ims, 200, body, ctype, etag, modified)

        def _finish(
            self,
            relative: str,
            inm: str | None,
            ims: str | None,
            status: int,
            body: bytes,
            ctype: str | None,
            etag: str | None = None,
            modified: str | None = None,
        ) -> None:
            self._record(relative, inm, ims, status)
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified or "")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _record(self, relative: str, inm: str | None, ims: str | None, status: int) -> None:
            server.requests.append(
                Request(
                    relative,
                    inm,
                    ims,
                    status,
                    self.headers.get("User-Agent"),
                    self.headers.get("Accept-Encoding"),
                )
            )

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[callable]:  # type: ignore[valid-type]
    """`serve(root)` starts a FeedServer on a free loopback port for the test's duration."""
    started: list[ThreadingHTTPServer] = []

    def start(root: Path) -> FeedServer:
        feed_server = FeedServer(root)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(feed_server))
        httpd.daemon_threads = True  # a handler told to hang never blocks the teardown
        httpd.block_on_close = False
        feed_server.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return feed_server

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data dir and no politeness delays (the server is ours), and
    links to loopback allowed explicitly (the test server is on 127.0.0.1); the encoder
    cache is shared across tests and runs."""
    return replace(
        Settings(),
        data_dir=tmp_path / "data",
        host_delay_s=0.0,
        backoff_s=0.0,
        allow_private_addresses=True,
    )
