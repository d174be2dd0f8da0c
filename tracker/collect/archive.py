"""Archives for backfill: historical articles with their dates, from JSON lines or Parquet.

One record per article:

| field | required | meaning |
|---|---|---|
| `text` | yes | the article's text (plain text or HTML) |
| `published` | yes | ISO 8601 date or time (a date alone is midnight UTC) |
| `title` | no | the headline |
| `url` | no | its address; gives the item id (canonical URL) |
| `id` | no | the archive's own id, used for the item id when there is no url |
| `source` | no | source name (default: the archive file's name) |
| `lang` | no | `de`, `en` or `auto` (default): a hint, the text decides |
| `kind` | no | `news` (default), `podcast` or `transcript` |

A record that cannot be read gets an error naming the file, the line (row) and the fix;
the others are still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.collect.urls import item_id_for_url, stable_id
from tracker.errors import InputError
from tracker.records import CollectedItem, ItemKind, SourceKind, TextSource

KINDS = {
    "news": (ItemKind.ARTICLE, SourceKind.NEWS),
    "podcast": (ItemKind.EPISODE, SourceKind.PODCAST),
    "transcript": (ItemKind.TRANSCRIPT, SourceKind.TRANSCRIPTS),
}
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ArchiveItem:
    item: CollectedItem
    source_kind: SourceKind


def read_archive(path: Path) -> tuple[list[ArchiveItem], list[str]]:
    """The readable records of `path` (.jsonl / .json lines, or .parquet) and an error
    message for each unreadable one."""
    default_source = _NAME.sub("-", path.stem).strip("-") or "archive"
    items: list[ArchiveItem] = []
    errors: list[str] = []
    for where, record in _records(path):
        try:
            items.append(_to_item(record, default_source))
        except (ValueError, TypeError, KeyError) as exc:
            errors.append(f"{where}: {exc}")
    return items, errors


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path}: no such archive file. Fix: pass a .jsonl or .parquet file.")
    if path.suffix.lower() == ".parquet":
        import pandas as pd

        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds
            raise InputError(f"{path}: not a readable Parquet file ({exc}).") from None
        for number, record in enumerate(frame.to_dict(orient="records"), 1):
            yield f"{path}: row {number}", record
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{number}", json.loads(line)
            except json.JSONDecodeError as exc:
                yield (
                    f"{path}:{number}",
                    ValueError(f"not JSON ({exc.msg}). Fix: one object per line"),
                )


def _to_item(record: Any, default_source: str) -> ArchiveItem:
    if isinstance(record, Exception):
        raise record
    if not isinstance(record, dict):
        raise ValueError("not an object. Fix: one JSON object per line")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' is missing or empty. Fix: give the article's text")
    published = _date(record.get("published"))
    kind_name = str(record.get("kind") or "news")
    if kind_name not in KINDS:
        raise ValueError(f"'kind' is {kind_name!r}. Fix: use news, podcast or transcript")
    item_kind, source_kind = KINDS[kind_name]
    lang = str(record.get("lang") or "auto")
    if lang not in ("de", "en", "auto"):
        raise ValueError(f"'lang' is {lang!r}. Fix: use de, en or auto")
    source = _NAME.sub("-", str(record.get("source") or default_source)).strip("-")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    title = str(record.get("title") or "").strip()
    if url and url.startswith(("http://", "https://")):
        item_id = item_id_for_url(url)
    elif record.get("id") not in (None, ""):
        item_id = stable_id("archive", source, str(record["id"]))
    else:
        item_id = stable_id("archive", source, title, text[:2000], published.isoformat())
    item = CollectedItem(
        source=source or default_source,
        kind=item_kind,
        item_id=item_id,
        url=url,
        title=title,
        body=text,
        body_is_html="<" in text and ">" in text,
        published=published,
        language_hint=lang,
        text_source=TextSource.FILE,
    )
    return ArchiveItem(item, source_kind)


def _date(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif hasattr(value, "to_pydatetime"):  # pandas Timestamp
        moment = value.to_pydatetime()
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"'published' is {value!r}. Fix: an ISO 8601 date or time, e.g. 2025-03-02"
            ) from None
    else:
        raise ValueError("'published' is missing. Fix: give the publish date (ISO 8601)")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
