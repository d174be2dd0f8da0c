import gzip
from pathlib import Path

import pytest

from tracker.collect.http import HttpClient, HttpPolicy
from tracker.collect.robots import Robots
from tracker.errors import FetchError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
UA = "tracker-test/1 (+https://example.org/bot)"


class FakeTime:
    """A clock that only moves when the client sleeps, so waits are measured exactly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(time: FakeTime | None = None, **policy: float | bool) -> HttpClient:
    time = time or FakeTime()
    settings = {"host_delay_s": 0.0, "backoff_s": 0.5, **policy}
    return HttpClient(HttpPolicy(UA, **settings), sleep=time.sleep, clock=time.clock)  # type: ignore[arg-type]


def test_conditional_get_gets_304_the_second_time(serve) -> None:
    server = serve(FIXTURES)
    with client() as http:
        first = http.get(server.url("capex-en.atom"))
        assert first.status == 200 and first.etag and first.last_modified
        second = http.get(server.url("capex-en.atom"), first.etag, first.last_modified)
    assert second.not_modified and second.body == b""
    assert server.requests[1].if_none_match == first.etag
    assert server.requests[0].user_agent == UA
    assert "gzip" in (server.requests[0].accept_encoding or "")


def test_errors_name_the_url(serve) -> None:
    server = serve(FIXTURES)
    with client() as http:
        with pytest.raises(FetchError, match="HTTP 404") as caught:
            http.get(server.url("missing.xml"))
        assert "missing.xml" in str(caught.value) and caught.value.status == 404
        with pytest.raises(FetchError, match="larger than 100 bytes"):
            http.get(server.url("capex-en.atom"), max_bytes=100)
        with pytest.raises(FetchError, match=r"127\.0\.0\.1:9"):
            http.get("http://127.0.0.1:9/unreachable")


def test_gzip_bodies_are_decoded(serve) -> None:
    server = serve(FIXTURES)
    feed = (FIXTURES / "capex-en.atom").read_bytes()
    server.routes["zipped.atom"] = [(200, {"Content-Encoding": "gzip"}, gzip.compress(feed))]
    with client() as http:
        assert http.get(server.url("zipped.atom")).body == feed


def test_transient_errors_are_retried_with_backoff(serve) -> None:
    server = serve(FIXTURES)
    server.routes["flaky.xml"] = [(503, {}, b"busy"), (502, {}, b"bad"), (200, {}, b"<rss/>")]
    time = FakeTime()
    with client(time, retries=2) as http:
        assert http.get(server.url("flaky.xml")).body == b"<rss/>"
    assert [r.status for r in server.requests] == [503, 502, 200]
    assert time.sleeps == [0.5, 1.0]  # doubling


def test_retry_after_is_honoured_and_retries_end(serve) -> None:
    server = serve(FIXTURES)
    server.routes["slow-down.xml"] = [(429, {"Retry-After": "3"}, b""), (200, {}, b"<rss/>")]
    server.routes["down.xml"] = [(500, {}, b"")]
    server.routes["go-away.xml"] = [(503, {"Retry-After": "86400"}, b"")]
    time = FakeTime()
    with client(time, retries=2) as http:
        http.get(server.url("slow-down.xml"))
        assert time.sleeps == [3.0]
        with pytest.raises(FetchError, match=r"HTTP 500.*gave up after 3 attempts"):
            http.get(server.url("down.xml"))
        with pytest.raises(FetchError, match="longer than this run waits"):
            http.get(server.url("go-away.xml"))


def test_redirects_are_followed_up_to_the_limit(serve) -> None:
    server = serve(FIXTURES)
    server.routes["old.atom"] = [(301, {"Location": "/capex-en.atom"}, b"")]
    server.routes["loop-a"] = [(302, {"Location": "/loop-b"}, b"")]
    server.routes["loop-b"] = [(302, {"Location": "/loop-a"}, b"")]
    server.routes["to-file"] = [(302, {"Location": "file:///etc/passwd"}, b"")]
    with client(max_redirects=5) as http:
        moved = http.get(server.url("old.atom"))
        assert moved.status == 200 and moved.url.endswith("/capex-en.atom")
        with pytest.raises(FetchError, match="more than 5 redirects"):
            http.get(server.url("loop-a"))
        with pytest.raises(FetchError, match="only http and https"):
            http.get(server.url("to-file"))
    assert sum(r.path.startswith("loop") for r in server.requests) == 6


def test_requests_to_one_host_are_spaced(serve) -> None:
    server = serve(FIXTURES)
    time = FakeTime()
    with client(time, host_delay_s=2.0) as http:
        for _ in range(3):
            http.get(server.url("capex-en.atom"))
    assert time.sleeps == [2.0, 2.0]


def test_robots_txt_is_obeyed_for_pages(serve) -> None:
    server = serve(FIXTURES)
    server.routes["robots.txt"] = [
        (200, {}, b"User-agent: *\nDisallow: /private/\n\nUser-agent: other\nDisallow: /\n")
    ]
    with client(allow_private=True) as http:
        robots = Robots(http)
        assert robots.allowed(server.url("news/1.html"))
        assert not robots.allowed(server.url("private/2.html"))
        assert robots.allowed(server.url("news/3.html"))
    assert sum(r.path == "robots.txt" for r in server.requests) == 1  # once per host


def test_missing_robots_allows_and_broken_robots_forbids(serve) -> None:
    missing, broken = serve(FIXTURES), serve(FIXTURES)
    broken.routes["robots.txt"] = [(500, {}, b"")]
    with client(retries=0, allow_private=True) as http:
        robots = Robots(http)
        assert robots.allowed(missing.url("any/page.html"))  # 404: no rules
        assert not robots.allowed(broken.url("any/page.html"))  # 5xx: stay away


def test_links_into_private_networks_are_refused_unless_allowed(serve) -> None:
    server = serve(FIXTURES)
    url = server.url("capex-en.atom")
    with client() as http:
        with pytest.raises(FetchError, match=r"non-public address \(127\.0\.0\.1\).*ALLOW"):
            http.get(url, public_only=True)
        assert http.get(url).status == 200  # a feeds.yaml URL is the operator's choice
        assert not server.requests[:-1]  # the refused link was never requested
    with client(allow_private=True) as http:
        assert http.get(url, public_only=True).status == 200


def test_a_response_that_trickles_in_is_cut_off(serve) -> None:
    server = serve(FIXTURES)
    server.routes["slow.xml"] = [(200, {"X-Trickle": "0.2"}, b"<rss>" + b" " * 100 + b"</rss>")]
    with client(total_timeout_s=1.0) as http, pytest.raises(FetchError, match="longer than 1 s"):
        http.get(server.url("slow.xml"))
