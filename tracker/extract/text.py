"""HTML → plain text: feed bodies (fragments) and whole article pages (main text only)."""

from __future__ import annotations

import html
import re

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


def page_main_text(page: str | bytes, url: str | None = None) -> tuple[str, str]:
    """(title, main text) of a whole article page, boilerplate removed (trafilatura)."""
    text = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    metadata = trafilatura.extract_metadata(page, default_url=url)
    title = (metadata.title if metadata and metadata.title else "") or ""
    return title.strip(), normalise_whitespace(text or "")
