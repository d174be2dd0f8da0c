"""Extract stage: a collected item → clean text, its language, and a `Document` (sentences).

The scored document is always the title and the body joined by a blank line
(`document_text`); its SHA-256 is the item's content hash, which keys every score.
"""

from __future__ import annotations

import hashlib

from tracker.extract.language import detect_language
from tracker.extract.sentences import group_passages, split_sentences
from tracker.extract.text import html_fragment_to_text, normalise_whitespace, page_main_text
from tracker.records import CollectedItem, Document

__all__ = [
    "content_hash",
    "detect_language",
    "document_text",
    "item_text",
    "make_document",
    "page_main_text",
    "split_sentences",
]


def item_text(item: CollectedItem) -> tuple[str, str]:
    """(title, body text) of a collected item, HTML removed."""
    body = (
        html_fragment_to_text(item.body) if item.body_is_html else normalise_whitespace(item.body)
    )
    title = normalise_whitespace(
        html_fragment_to_text(item.title) if "<" in item.title else item.title
    )
    title = " ".join(title.split())
    # Feeds often repeat the title as the first line of the body.
    if title and body.startswith(title):
        body = body[len(title) :].lstrip()
    return title, body


def document_text(title: str, body: str) -> str:
    return "\n\n".join(part for part in (title.strip(), body.strip()) if part)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_document(title: str, body: str, lang: str) -> Document:
    text = document_text(title, body)
    sentences = split_sentences(text, lang)
    return Document(text, lang, tuple(sentences), tuple(group_passages(text, sentences)))
