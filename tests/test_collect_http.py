from pathlib import Path

import pytest

from tracker.collect.http import HttpClient
from tracker.errors import FetchError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


def test_conditional_get_gets_304_the_second_time(serve) -> None:
    server = serve(FIXTURES)
    with HttpClient("tracker-test/1") as http:
        first = http.get(server.url("capex-en.atom"))
        assert first.status == 200 and first.etag and first.last_modified
        second = http.get(server.url("capex-en.atom"), first.etag, first.last_modified)
    assert second.not_modified and second.body == b""
    assert server.requests[1].if_none_match == first.etag


def test_errors_name_the_url(serve) -> None:
    server = serve(FIXTURES)
    with HttpClient("tracker-test/1") as http:
        with pytest.raises(FetchError, match="HTTP 404") as caught:
            http.get(server.url("missing.xml"))
        assert "missing.xml" in str(caught.value)
        with pytest.raises(FetchError, match="larger than 100 bytes"):
            HttpClient("t", max_bytes=100).get(server.url("capex-en.atom"))
        with pytest.raises(FetchError, match=r"127\.0\.0\.1:9"):
            http.get("http://127.0.0.1:9/unreachable")
