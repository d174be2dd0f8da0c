"""Stories: the same wire story (dpa, Reuters, AP…) published by several outlets.

Each new item's text is reduced to a MinHash signature of its word 5-grams (datasketch);
an item whose text overlaps an earlier item's by an estimated Jaccard similarity of at
least `THRESHOLD`, published within `WINDOW` of it, joins that item's story. Otherwise it
starts its own story (`story_id` = its own id). The index counts a story once; every
item, with its link and source, stays in the database.

Texts shorter than `MIN_WORDS` words (headline-only teasers) are never merged: a shared
headline is too little evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

THRESHOLD = 0.5
WINDOW = timedelta(days=3)
MIN_WORDS = 25
SHINGLE = 5
# Signatures are stored (items.minhash): changing these makes stored ones incomparable,
# so a change needs a schema migration that clears that column.
NUM_PERM = 64
SEED = 1
SCHEME = "affine32"


def signature(text: str) -> MinHash | None:
    """MinHash of the text's word 5-grams; None for texts too short to compare."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(sorted(shingles))
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash | None:
    values = np.frombuffer(data, dtype=np.uint64)
    if len(values) != NUM_PERM:
        return None
    return MinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


@dataclass(frozen=True)
class Known:
    """An item already in a story (from the database or from this run)."""

    item_id: str
    story_id: str
    moment: datetime
    minhash: MinHash


class StoryIndex:
    def __init__(self, known: Iterable[Known] = ()) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._known: dict[str, Known] = {}
        for entry in known:
            self._add(entry)

    def _add(self, entry: Known) -> None:
        if entry.item_id not in self._known:
            self._lsh.insert(entry.item_id, entry.minhash)
            self._known[entry.item_id] = entry

    def assign(self, item_id: str, text: str, moment: datetime) -> tuple[str, bytes | None]:
        """The story of a new item, and its signature to store (None when too short)."""
        minhash = signature(text)
        if minhash is None:
            return item_id, None
        candidates = [
            self._known[key]
            for key in self._lsh.query(minhash)
            if abs(self._known[key].moment - moment) <= WINDOW
            and self._known[key].minhash.jaccard(minhash) >= THRESHOLD
        ]
        story = (
            min(candidates, key=lambda k: (k.moment, k.item_id)).story_id if candidates else item_id
        )
        self._add(Known(item_id, story, moment, minhash))
        return story, to_bytes(minhash)
