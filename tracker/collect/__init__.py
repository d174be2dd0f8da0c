"""Collect stage: one declared source → the items it offers now.

`collect_source` fetches a feed (HTTP with conditional GET, or a local file), parses it, or
reads a transcript folder. It raises `FetchError` when the source gives nothing usable; the
orchestrator logs, counts and skips such a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.collect.feeds import parse_feed
from tracker.collect.http import HttpClient
from tracker.collect.transcripts import collect_folder
from tracker.errors import FetchError
from tracker.records import CollectedItem, Source, SourceKind

__all__ = ["CollectResult", "HttpClient", "collect_source"]


@dataclass(frozen=True)
class CollectResult:
    items: list[CollectedItem]
    warnings: list[str] = field(default_factory=list)
    not_modified: bool = False
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None


def collect_source(
    source: Source,
    http: HttpClient,
    etag: str | None = None,
    last_modified: str | None = None,
) -> CollectResult:
    if source.kind is SourceKind.TRANSCRIPTS:
        items, warnings = collect_folder(source)
        return CollectResult(items, warnings)
    if source.path is not None:
        try:
            body = source.path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{source.name}: cannot read {source.path}: {exc}") from None
        parsed = parse_feed(source, body)
        return CollectResult(parsed.items, [parsed.warning] if parsed.warning else [])
    assert source.url is not None
    fetched = http.get(source.url, etag=etag, last_modified=last_modified)
    if fetched.not_modified:
        return CollectResult(
            [], not_modified=True, http_status=304, etag=etag, last_modified=last_modified
        )
    if not fetched.body.strip():
        raise FetchError(f"{source.name}: {source.url} answered with an empty body")
    parsed = parse_feed(source, fetched.body, fetched.content_type)
    return CollectResult(
        parsed.items,
        [parsed.warning] if parsed.warning else [],
        http_status=fetched.status,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
    )
