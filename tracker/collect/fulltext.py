"""Full text for new items: feeds mostly carry teasers.

Takes a `CollectedItem` straight from a feed; gives it back with the best text there is,
and `text_source` saying which text that is:

- a podcast episode that offers `<podcast:transcript>` files gets its transcript (the best
  offered format: JSON, WebVTT, SRT, HTML, plain text) and becomes a transcript item;
- a news item with a web link gets the main text of its article page (trafilatura), with
  the page's author and date where the feed lacks them, if robots.txt allows the fetch and
  the page holds more text than the feed;
- otherwise, or when the fetch or extraction fails, the feed's own content stays
  (`text_source` = feed) and the reason is returned as a note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tracker.collect.http import ACCEPT_PAGE, HttpClient
from tracker.collect.robots import Robots
from tracker.collect.transcripts import transcript_to_text
from tracker.errors import FetchError
from tracker.extract.text import extract_page, html_fragment_to_text
from tracker.records import CollectedItem, ItemKind, TextSource

# A page must give at least this many words, and more than the feed, to replace it.
MIN_PAGE_WORDS = 40


@dataclass(frozen=True)
class FullText:
    item: CollectedItem
    fetched: int  # pages and transcripts requested
    note: str | None  # why the feed's text was kept, when a fetch was tried and failed


def with_full_text(item: CollectedItem, http: HttpClient, robots: Robots) -> FullText:
    if item.kind is ItemKind.EPISODE and item.transcripts:
        return _with_transcript(item, http)
    if item.kind is ItemKind.ARTICLE and (item.url or "").startswith(("http://", "https://")):
        return _with_page(item, http, robots)
    return FullText(item, 0, None)


def _with_transcript(item: CollectedItem, http: HttpClient) -> FullText:
    notes = []
    for tried, link in enumerate(item.transcripts, 1):
        try:
            fetched = http.get(link.url, accept="*/*", public_only=True)
            text = transcript_to_text(fetched.body, link.format)
        except (FetchError, ValueError) as exc:
            notes.append(f"transcript {link.url}: {exc}")
            continue
        if text.strip():
            transcript = dataclasses.replace(
                item,
                kind=ItemKind.TRANSCRIPT,
                body=text,
                body_is_html=False,
                text_source=TextSource.TRANSCRIPT,
            )
            return FullText(transcript, tried, None)
        notes.append(f"transcript {link.url}: no text")
    return FullText(item, len(item.transcripts), "; ".join(notes))


def _with_page(item: CollectedItem, http: HttpClient, robots: Robots) -> FullText:
    assert item.url is not None
    if not robots.allowed(item.url):
        return FullText(item, 0, f"{item.url}: disallowed by robots.txt; feed text kept")
    try:
        fetched = http.get(item.url, accept=ACCEPT_PAGE, public_only=True)
    except FetchError as exc:
        return FullText(item, 1, f"{exc}; feed text kept")
    page = extract_page(fetched.body, fetched.url)
    feed_words = len((html_fragment_to_text(item.body) if item.body_is_html else item.body).split())
    page_words = len(page.text.split())
    if page_words < MIN_PAGE_WORDS or page_words <= feed_words:
        return FullText(
            item, 1, f"{item.url}: the page gave {page_words} words of text; feed text kept"
        )
    return FullText(
        dataclasses.replace(
            item,
            title=item.title or page.title,
            body=page.text,
            body_is_html=False,
            published=item.published or page.published,
            author=item.author or page.author,
            text_source=TextSource.PAGE,
        ),
        1,
        None,
    )
