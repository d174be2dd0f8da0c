"""HTTP fetching for collectors, like a good citizen.

Takes a URL and the validators from the last fetch (ETag, Last-Modified); gives a `Fetched`
with the body, or `not_modified` on 304. Every request carries the tracker's User-Agent and
accepts gzip; it is bounded by a timeout, a response-size limit and a redirect limit
(redirects are followed here, hop by hop, so each hop is checked); requests to one host are
spaced by a delay; transient failures (timeouts, dropped connections, 429 and 5xx answers)
are retried with exponential backoff, honouring a short `Retry-After`. Errors become
`FetchError` with the URL in the message.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from tracker.errors import FetchError

ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class HttpPolicy:
    """The limits every request obeys (see README, "Collecting")."""

    user_agent: str
    timeout_s: float = 20.0
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a transient failure
    backoff_s: float = 1.0  # the first wait; it doubles with every retry
    max_retry_after_s: float = 30.0  # a longer Retry-After is not waited for
    host_delay_s: float = 1.0  # the least time between two requests to one host
    total_timeout_s: float = 60.0  # a whole response, however slowly it trickles in
    # Links found in feeds (pages, transcripts) to loopback, private or link-local
    # addresses are refused unless this is set (feeds.yaml's own URLs are always fetched).
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _Transient(Exception):
    """A failure worth another try; `wait` is the server's Retry-After, if any."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class HttpClient:
    """One pooled HTTP client per run; use as a context manager."""

    def __init__(
        self,
        policy: HttpPolicy,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy
        self._sleep = sleep
        self._clock = clock
        self._last_request: dict[str, float] = {}
        self._client = httpx.Client(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(policy.timeout_s, connect=min(policy.timeout_s, 10.0)),
            follow_redirects=False,
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = ACCEPT_FEED,
        max_bytes: int | None = None,
        public_only: bool = False,
    ) -> Fetched:
        """`public_only`: the URL came from untrusted content (a feed's link); refuse
        it, and any redirect hop, when its host resolves to a non-public address."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.policy.max_bytes
        attempt = 0
        while True:
            try:
                return self._follow(url, headers, limit, public_only)
            except _Transient as exc:
                if attempt >= self.policy.retries:
                    raise FetchError(
                        f"{url}: {exc} (gave up after {attempt + 1} attempts)"
                    ) from None
                wait = self.policy.backoff_s * 2**attempt
                if exc.wait is not None:
                    if exc.wait > self.policy.max_retry_after_s:
                        raise FetchError(
                            f"{url}: {exc}; the server asks to wait {exc.wait:.0f} s, "
                            "longer than this run waits"
                        ) from None
                    wait = max(wait, exc.wait)
                self._sleep(wait)
                attempt += 1

    def _follow(self, url: str, headers: dict[str, str], limit: int, public_only: bool) -> Fetched:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            _check_scheme(url, current)
            if public_only and not self.policy.allow_private:
                _check_public(url, current)
            fetched = self._once(current, headers, limit)
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched  # the next hop
        raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects; refused")

    def _once(self, url: str, headers: dict[str, str], limit: int) -> Fetched | str:
        """One request: the response, or the URL a redirect points to."""
        self._wait_for_host(url)
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECT_STATUSES and "location" in response.headers:
                    return urljoin(url, response.headers["location"])
                if status == 304:
                    etag, modified = headers.get("If-None-Match"), headers.get("If-Modified-Since")
                    return Fetched(url, 304, b"", "", etag, modified)
                if status in _RETRY_STATUSES:
                    raise _Transient(
                        f"HTTP {status} {response.reason_phrase}",
                        _retry_after(response.headers.get("retry-after")),
                    )
                if status >= 400:
                    raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}", status)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url}: response larger than {limit:,} bytes; refused")
                body = bytearray()
                deadline = time.monotonic() + self.policy.total_timeout_s
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > limit:
                        raise FetchError(f"{url}: response larger than {limit:,} bytes; refused")
                    if time.monotonic() > deadline:
                        raise FetchError(
                            f"{url}: the response took longer than "
                            f"{self.policy.total_timeout_s:.0f} s; refused (too slow)"
                        )
                return Fetched(
                    url=url,
                    status=status,
                    body=bytes(body),
                    content_type=response.headers.get("content-type", ""),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException:
            raise _Transient("timed out") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from None
        except httpx.ConnectError as exc:
            if _is_name_error(exc):  # an unknown host stays unknown: no retry
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
            raise _Transient(f"{type(exc).__name__}: {exc}") from None
        except httpx.DecodingError as exc:
            raise FetchError(f"{url}: undecodable response ({exc})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            remaining = self.policy.host_delay_s - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[host] = self._clock()


def _check_scheme(original: str, url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        where = original if url == original else f"{original} (redirected to {url})"
        raise FetchError(f"{where}: only http and https are fetched, not {scheme or 'no'} URLs")


def _check_public(original: str, url: str) -> None:
    """Refuse hosts that resolve to loopback, private, link-local or reserved addresses."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{url}: cannot resolve {host!r} ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            where = original if url == original else f"{original} (redirected to {url})"
            raise FetchError(
                f"{where}: {host} is a non-public address ({address}); refused. Fix: set "
                "TRACKER_ALLOW_PRIVATE=1 if links to your own network are meant to be fetched"
            )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _is_name_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror) or "Name or service not known" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
