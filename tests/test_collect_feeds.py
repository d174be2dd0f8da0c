from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from tracker.collect.feeds import parse_feed
from tracker.collect.urls import item_id_for_url
from tracker.errors import FetchError
from tracker.records import ItemKind, Source, SourceKind

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


def source(kind: SourceKind = SourceKind.NEWS, language: str = "de") -> Source:
    return Source("test", kind, language, url="https://example.org/feed")


def test_rss_items_keep_full_content_dates_and_canonical_ids() -> None:
    parsed = parse_feed(source(), (FIXTURES / "ki-markt-de.xml").read_bytes())
    assert parsed.warning is None
    # Four entries, one of them a repeat of the same article: three items.
    assert len(parsed.items) == 3
    first = parsed.items[0]
    assert first.item_id == item_id_for_url("https://example.org/ki-markt/nachfrage")
    assert "Wer jetzt nicht baut" in first.body and first.body_is_html
    assert first.published == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert first.kind is ItemKind.ARTICLE and first.language_hint == "de"
    no_link = parsed.items[2]
    assert no_link.url is None and no_link.item_id  # id from the guid


def test_atom_html_content_is_taken() -> None:
    parsed = parse_feed(source(language="en"), (FIXTURES / "capex-en.atom").read_bytes())
    assert [i.title for i in parsed.items][:2] == [
        "Hyperscalers raise spending plans again as orders pile up",
        "Bradley Tusk warns of circular AI financing",
    ]
    assert "Demand for AI capacity" in parsed.items[0].body


def test_podcast_feed_gives_episodes() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>
      <item><title>Folge 1</title><guid>p1</guid><description>Shownotes</description>
      <pubDate>Tue, 03 Mar 2026 06:00:00 GMT</pubDate></item></channel></rss>"""
    parsed = parse_feed(source(SourceKind.PODCAST), body)
    assert [i.kind for i in parsed.items] == [ItemKind.EPISODE]


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(FetchError, match="not a readable RSS/Atom feed"):
        parse_feed(source(), (FIXTURES / "not-a-feed.html").read_bytes(), "text/html")


def test_future_dates_are_not_trusted() -> None:
    body = b"""<rss version="2.0"><channel><title>F</title><item><title>Zukunft</title>
      <link>https://example.org/z</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>
      </item></channel></rss>"""
    (item,) = parse_feed(source(), body).items
    assert item.published is None


@pytest.mark.realworld
def test_every_real_feed_parses_without_crashing(realworld: Path) -> None:
    files = sorted((realworld / "feeds").iterdir()) + sorted((realworld / "podcasts").iterdir())
    assert len(files) >= 40
    kept = 0
    for path in files:
        kind = SourceKind.PODCAST if path.parent.name == "podcasts" else SourceKind.NEWS
        raw = path.read_bytes()
        parsed = parse_feed(Source(path.stem, kind, "auto", path=path), raw)
        readable = [e for e in feedparser.parse(raw).entries if e.get("title") or e.get("summary")]
        # Entries that repeat an article (same canonical link) are stored once.
        assert 0 < len(parsed.items) <= len(readable) or not readable, path.name
        kept += len(parsed.items)
        if feedparser.parse(raw).bozo:
            assert parsed.warning and path.stem in parsed.warning
    assert kept > 1000
