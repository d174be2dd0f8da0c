"""robots.txt for article pages: fetched once per host and run, then obeyed.

Feeds are published to be polled, so only article and transcript pages are checked. The
rules follow RFC 9309: a robots.txt that is missing or refused with 4xx allows everything;
one that cannot be fetched (5xx, network error) disallows the host for this run.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from tracker.collect.http import HttpClient
from tracker.errors import FetchError

log = logging.getLogger("tracker")

_MAX_ROBOTS_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB


class Robots:
    def __init__(self, http: HttpClient) -> None:
        self._http = http
        self._rules: dict[str, RobotFileParser | None] = {}  # None: the host is off limits

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        if origin not in self._rules:
            self._rules[origin] = self._load(origin)
        rules = self._rules[origin]
        if rules is None:
            return False
        return rules.can_fetch(self._http.policy.user_agent, url)

    def _load(self, origin: str) -> RobotFileParser | None:
        rules = RobotFileParser()
        try:
            fetched = self._http.get(
                origin + "/robots.txt",
                accept="text/plain",
                max_bytes=_MAX_ROBOTS_BYTES,
                public_only=True,
            )
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                rules.parse([])  # no robots.txt: everything is allowed
                return rules
            log.warning("robots.txt of %s unreadable, its pages are skipped: %s", origin, exc)
            return None
        rules.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return rules
