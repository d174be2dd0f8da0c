"""HTML → plain text: feed bodies (fragments) and whole article pages (main text only)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import lxml.etree
import lxml.html
import trafilatura

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "tr",
    "table",
    "pre",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "hr",
}
_DROP_TAGS = ("script", "style", "noscript", "iframe", "svg", "template", "head")


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces; keep paragraph breaks (blank lines) as the only structure."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def html_fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed's content:encoded or summary), paragraphs kept."""
    if "<" not in fragment:
        return normalise_whitespace(html.unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return normalise_whitespace(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
    return normalise_whitespace(root.text_content())


@dataclass(frozen=True)
class PageText:
    """What an article page yields: its main text (boilerplate removed) and metadata."""

    title: str
    text: str
    author: str | None
    published: datetime | None  # the date the page states, UTC midnight when only a day
    language: str | None  # the language the page declares, if any


def extract_page(page: str | bytes, url: str | None = None) -> PageText:
    """Main text and metadata of a whole article page (trafilatura)."""
    found = trafilatura.bare_extraction(
        page,
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        with_metadata=True,
    )
    if found is None:
        return PageText("", "", None, None, None)
    fields = found if isinstance(found, dict) else found.as_dict()
    return PageText(
        title=" ".join((fields.get("title") or "").split()),
        text=normalise_whitespace(fields.get("text") or ""),
        author=fields.get("author") or None,
        published=_page_date(fields.get("date")),
        language=fields.get("language") or None,
    )


def page_main_text(page: str | bytes, url: str | None = None) -> tuple[str, str]:
    """(title, main text) of a whole article page."""
    extracted = extract_page(page, url)
    return extracted.title, extracted.text


def _page_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
