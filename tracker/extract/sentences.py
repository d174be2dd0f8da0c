"""Sentence segmentation for German and English (pysbd rules, abbreviation-aware).

Paragraph breaks always end a sentence (headlines carry no full stop). A "sentence" longer
than `MAX_WORDS` words — a machine transcript without punctuation, a run-on list — is cut
into windows of `WINDOW_WORDS` words, so no text is ever silently truncated downstream.
`group_passages` joins consecutive sentences of a paragraph into passages of up to
`PASSAGE_WORDS` words, the context in which irony, concessions and negation are read.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from tracker.records import Sentence

MAX_WORDS = 80
WINDOW_WORDS = 50
PASSAGE_WORDS = 60  # about the length of the labelled training items
_PARAGRAPH = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\S+")


@lru_cache(maxsize=4)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(
        language=lang if lang in ("de", "en") else "en", clean=False, char_span=True
    )


def split_sentences(text: str, lang: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    position = 0
    for paragraph in _PARAGRAPH.split(text):
        start = text.find(paragraph, position)
        position = start + len(paragraph)
        if not paragraph.strip():
            continue
        for span in _segmenter(lang).segment(paragraph):
            sentences.extend(_windows(text, start + span.start, start + span.end))
    return sentences


def _windows(text: str, start: int, end: int) -> list[Sentence]:
    """The trimmed span, cut into word windows when it is too long to be one sentence."""
    chunk = text[start:end]
    words = list(_WORD.finditer(chunk))
    if not words:
        return []
    if len(words) <= MAX_WORDS:
        first, last = words[0].start(), words[-1].end()
        return [Sentence(chunk[first:last], start + first, start + last)]
    out = []
    for i in range(0, len(words), WINDOW_WORDS):
        group = words[i : i + WINDOW_WORDS]
        first, last = group[0].start(), group[-1].end()
        out.append(Sentence(chunk[first:last], start + first, start + last))
    return out


def group_passages(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """Consecutive sentences of one paragraph, joined while they stay within
    `PASSAGE_WORDS` words; a longer sentence is a passage on its own."""
    passages: list[Sentence] = []
    group: list[Sentence] = []
    words = 0
    for sentence in sentences:
        count = len(_WORD.findall(sentence.text))
        new_paragraph = bool(group) and _PARAGRAPH.search(text[group[-1].end : sentence.start])
        if group and (new_paragraph or words + count > PASSAGE_WORDS):
            passages.append(
                Sentence(text[group[0].start : group[-1].end], group[0].start, group[-1].end)
            )
            group, words = [], 0
        group.append(sentence)
        words += count
    if group:
        passages.append(
            Sentence(text[group[0].start : group[-1].end], group[0].start, group[-1].end)
        )
    return passages
