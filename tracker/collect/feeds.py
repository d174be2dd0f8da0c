"""RSS / RDF / Atom feeds (news and podcasts) → `CollectedItem`s, via feedparser.

A feed feedparser can only partly read (`bozo`) keeps the items it could read and comes back
with a warning that names the feed; a body with no readable item at all is a `FetchError`.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import lxml.etree

from tracker.collect.transcripts import PREFERENCE, format_for
from tracker.collect.urls import item_id_for_url, stable_id
from tracker.errors import FetchError
from tracker.records import CollectedItem, ItemKind, Source, SourceKind, TranscriptLink

# Dates further ahead than this are a publisher's clock error, not a date.
_FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class ParsedFeed:
    items: list[CollectedItem]
    warning: str | None  # set when feedparser flagged the feed as malformed (bozo)
    feed_title: str


def parse_feed(
    source: Source, body: bytes, content_type: str = "", now: datetime | None = None
) -> ParsedFeed:
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    now = now or datetime.now(UTC)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries:
        if not parsed.get("version"):
            raise FetchError(
                f"{source.name}: {source.location} is not a readable RSS/Atom feed "
                f"({problem or 'no RSS, RDF or Atom root element'}). "
                "Fix: check the url in feeds.yaml points at the feed, not a web page."
            )
        empty = f"{source.name}: malformed feed with no readable items: {problem}"
        return ParsedFeed([], empty if problem else None, parsed.feed.get("title", ""))
    warning: str | None = None
    if problem:
        warning = (
            f"{source.name}: malformed feed, kept {len(parsed.entries)} readable items: {problem}"
        )
    kind = ItemKind.EPISODE if source.kind is SourceKind.PODCAST else ItemKind.ARTICLE
    transcripts = transcript_links(body) if kind is ItemKind.EPISODE else {}
    items = []
    seen: set[str] = set()
    for entry in parsed.entries:
        item = _entry_to_item(source, kind, entry, now, transcripts)
        if item is not None and item.item_id not in seen:
            seen.add(item.item_id)
            items.append(item)
    return ParsedFeed(items, warning, parsed.feed.get("title", ""))


def _entry_to_item(
    source: Source,
    kind: ItemKind,
    entry: Mapping[str, Any],
    now: datetime,
    transcripts: Mapping[str, tuple[TranscriptLink, ...]],
) -> CollectedItem | None:
    title = (entry.get("title") or "").strip()
    body, is_html = _best_body(entry)
    if not title and not body:
        return None
    link = (entry.get("link") or "").strip()
    guid = (entry.get("id") or "").strip()
    published = _entry_date(entry, now)
    if link.startswith(("http://", "https://")):
        item_id = item_id_for_url(link)
    elif guid:
        item_id = stable_id("guid", source.name, guid)
    else:
        item_id = stable_id("entry", source.name, title, published.isoformat() if published else "")
    return CollectedItem(
        source=source.name,
        kind=kind,
        item_id=item_id,
        url=link or None,
        title=title,
        body=body,
        body_is_html=is_html,
        published=published,
        language_hint=source.language,
        author=(entry.get("author") or "").strip() or None,
        transcripts=next(
            (transcripts[key] for key in (guid, link, title) if key and key in transcripts), ()
        ),
    )


def transcript_links(body: bytes) -> dict[str, tuple[TranscriptLink, ...]]:
    """The `<podcast:transcript>` links of each episode, best format first, keyed by the
    episode's guid, link and title (feedparser keeps only one transcript per episode)."""
    if b"transcript" not in body:
        return {}
    # No entities resolved, no network, no huge trees: feeds are untrusted input.
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(body, parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return {}
    if root is None:
        return {}
    found: dict[str, tuple[TranscriptLink, ...]] = {}
    for episode in root.iter("{*}item", "{*}entry"):
        links = []
        for element in episode.iter("{*}transcript"):
            namespace = lxml.etree.QName(element).namespace or ""
            url = (element.get("url") or "").strip()
            fmt = format_for(url, element.get("type") or "")
            if "podcast" in namespace and url.startswith(("http://", "https://")) and fmt:
                links.append(TranscriptLink(url, fmt, element.get("language")))
        if not links:
            continue
        links.sort(key=lambda link: PREFERENCE.index(link.format))
        for tag in ("guid", "id", "link", "title"):
            child = episode.find(f"{{*}}{tag}")
            key = (child.text or child.get("href") or "").strip() if child is not None else ""
            if key:
                found.setdefault(key, tuple(links))
    return found


def _best_body(entry: Mapping[str, Any]) -> tuple[str, bool]:
    """The fullest text the entry carries: content:encoded / atom content, else the summary."""
    candidates: list[tuple[str, bool]] = []
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        candidates.append((value, "html" in (content.get("type") or "text/html")))
    summary = entry.get("summary") or ""
    if summary:
        detail = entry.get("summary_detail") or {}
        candidates.append((summary, "html" in (detail.get("type") or "text/html")))
    if not candidates:
        return "", False
    return max(candidates, key=lambda pair: len(pair[0]))


def _entry_date(entry: Mapping[str, Any], now: datetime) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # Plain dict access: feedparser's own mapping of updated → published is deprecated.
        value = dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                moment = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
            if moment <= now + _FUTURE_TOLERANCE and moment.year >= 1990:
                return moment
    return None
