import pytest

from tracker.collect.urls import canonical_url, item_id_for_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.ORG/a?utm_source=rss&utm_medium=feed", "https://example.org/a"),
        ("https://example.org/story/1#ref=rss", "https://example.org/story/1"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a?id=7&wt_mc=rss.red&fbclid=x", "https://example.org/a?id=7"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_same_article_through_tracking_links_gets_one_id() -> None:
    plain = item_id_for_url("https://www.derstandard.at/story/3000000218734/x")
    tracked = item_id_for_url("https://www.derstandard.at/story/3000000218734/x?ref=rss#top")
    assert plain == tracked
    assert plain != item_id_for_url("https://www.derstandard.at/story/3000000218735/x")
