"""Transcripts (WebVTT, SRT, Podcast-Index / Podlove JSON, HTML, plain text) → text.

Takes transcript bytes and a format; gives speaker-attributed text, one paragraph per turn
("Sarah: ..."). Parsing is tolerant by design: real files carry non-standard timestamps
("0.860 --> 7.380"), one word per cue, or speaker prefixes inside the cue text, and strict
subtitle libraries reject them. Also collects a local folder of transcript files as items.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import lxml.etree
import lxml.html

from tracker.collect.urls import stable_id
from tracker.errors import FetchError
from tracker.records import CollectedItem, ItemKind, Source, TextSource

FORMATS = ("vtt", "srt", "json", "html", "txt")
# When an episode offers several: JSON and WebVTT name speakers most reliably, plain text least.
PREFERENCE = ("json", "vtt", "srt", "html", "txt")
_SUFFIX_FORMAT = {
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "txt",
    ".text": "txt",
}

_TIMING = re.compile(r"-->")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPEAKER_PREFIX = re.compile(r"^([A-ZÄÖÜ][\w.'-]*(?: [A-ZÄÖÜ][\w.'-]*){0,2}):\s+(?=\S)")
_FILENAME_DATES = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), (1, 2, 3)),
    (re.compile(r"(\d{2})\.(\d{2})\.(\d{4})"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), (1, 2, 3)),
)


@dataclass(frozen=True)
class Segment:
    speaker: str | None
    text: str


def format_for(filename: str, content_type: str = "") -> str | None:
    """The transcript format from a MIME type (podcast:transcript) or a file suffix."""
    ctype = content_type.lower()
    for needle, fmt in (
        ("vtt", "vtt"),
        ("subrip", "srt"),
        ("srt", "srt"),
        ("json", "json"),
        ("html", "html"),
        ("text/plain", "txt"),
    ):
        if needle in ctype:
            return fmt
    return _SUFFIX_FORMAT.get(Path(filename).suffix.lower())


def transcript_to_text(data: bytes | str, fmt: str) -> str:
    """Parse a transcript and join it into speaker-attributed paragraphs."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    parser = {
        "vtt": _parse_cues,
        "srt": _parse_cues,
        "json": _parse_json,
        "html": _parse_html,
        "txt": _parse_plain,
    }.get(fmt)
    if parser is None:
        raise FetchError(f"unknown transcript format {fmt!r}; expected one of {FORMATS}")
    return join_segments(parser(text))


def join_segments(segments: list[Segment]) -> str:
    """Merge consecutive segments of one speaker into a paragraph, 'Speaker: text'."""
    paragraphs: list[tuple[str | None, list[str]]] = []
    for segment in segments:
        words = segment.text.strip()
        if not words:
            continue
        if paragraphs and paragraphs[-1][0] == segment.speaker:
            paragraphs[-1][1].append(words)
        else:
            paragraphs.append((segment.speaker, [words]))
    lines = []
    for speaker, parts in paragraphs:
        body = re.sub(r"\s+", " ", " ".join(parts)).strip()
        lines.append(f"{speaker}: {body}" if speaker else body)
    return "\n\n".join(lines)


def _parse_cues(text: str) -> list[Segment]:
    """WebVTT and SRT: blocks separated by blank lines; a timing line, then cue text."""
    segments: list[Segment] = []
    speaker: str | None = None
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        timing = next((i for i, line in enumerate(lines) if _TIMING.search(line)), None)
        if timing is None:
            continue  # header (WEBVTT), NOTE, STYLE, REGION or a stray number
        cue = " ".join(lines[timing + 1 :])
        voice = _VOICE.search(cue)
        if voice:
            speaker = voice.group(1).strip()
        else:
            prefix = _SPEAKER_PREFIX.match(cue)
            if prefix:
                speaker = prefix.group(1)
                cue = cue[prefix.end() :]
        cue = html.unescape(_TAG.sub("", cue)).strip()
        if cue:
            segments.append(Segment(speaker, cue))
    return segments


def _parse_json(text: str) -> list[Segment]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(f"transcript JSON is not valid: {exc}") from None
    rows = doc.get("segments") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise FetchError("transcript JSON has no 'segments' list (Podcast Index) or list of cues")
    segments = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        body = row.get("body", row.get("text"))
        if not isinstance(body, str):
            continue
        speaker = row.get("speaker") if "voice" not in row else row.get("voice")
        segments.append(Segment(str(speaker) if speaker else None, body))
    return segments


def _parse_html(text: str) -> list[Segment]:
    """Podcast-namespace HTML transcripts: <cite>Speaker:</cite> <time/> <p>text</p>."""
    if not text.strip():
        return []
    try:
        root = lxml.html.fromstring(text)
    except (lxml.etree.ParserError, ValueError):  # no element at all ("<!-- -->", NUL bytes)
        return []
    segments: list[Segment] = []
    speaker: str | None = None
    for element in root.iter("cite", "p"):
        content = " ".join(element.text_content().split())
        if element.tag == "cite":
            speaker = content.rstrip(":").strip() or None
        elif content:
            segments.append(Segment(speaker, content))
    if not segments:
        segments.append(Segment(None, " ".join(root.text_content().split())))
    return segments


def _parse_plain(text: str) -> list[Segment]:
    segments = []
    for paragraph in re.split(r"\n\s*\n", text):
        prefix = _SPEAKER_PREFIX.match(paragraph.strip())
        if prefix:
            segments.append(Segment(prefix.group(1), paragraph.strip()[prefix.end() :]))
        else:
            segments.append(Segment(None, paragraph))
    return segments


def date_from_filename(name: str) -> datetime | None:
    for pattern, (y, m, d) in _FILENAME_DATES:
        match = pattern.search(name)
        if match:
            try:
                return datetime(
                    int(match.group(y)), int(match.group(m)), int(match.group(d)), tzinfo=UTC
                )
            except ValueError:
                continue
    return None


def collect_folder(source: Source) -> tuple[list[CollectedItem], list[str]]:
    """Every transcript file in the source's folder (recursively) as an item.

    Returns the items and one warning per file that could not be read.
    """
    assert source.path is not None
    items: list[CollectedItem] = []
    warnings: list[str] = []
    for path in sorted(p for p in source.path.rglob("*") if p.is_file()):
        fmt = format_for(path.name)
        if fmt is None:
            continue
        relative = path.relative_to(source.path).as_posix()
        try:
            text = transcript_to_text(path.read_bytes(), fmt)
        except (OSError, FetchError, ValueError) as exc:
            warnings.append(f"{source.name}: {relative}: {exc}")
            continue
        if not text.strip():
            warnings.append(f"{source.name}: {relative}: no text in transcript")
            continue
        published = date_from_filename(path.name) or datetime.fromtimestamp(
            path.stat().st_mtime, tz=UTC
        )
        title = re.sub(r"[_-]+", " ", path.stem).strip()
        items.append(
            CollectedItem(
                source=source.name,
                kind=ItemKind.TRANSCRIPT,
                item_id=stable_id("file", source.name, relative),
                url=None,
                title=title,
                body=text,
                body_is_html=False,
                published=published,
                language_hint=source.language,
                text_source=TextSource.FILE,
            )
        )
    return items, warnings
