"""Wire stories: the same agency text in several outlets is one story."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.collect.http import HttpClient
from tracker.extract.stories import StoryIndex, from_bytes, signature
from tracker.pipeline import collect_one
from tracker.records import Source, SourceKind
from tracker.storage import Store

WIRE = (
    "Frankfurt (dpa) - Die großen Technologiekonzerne wollen ihre Ausgaben für Rechenzentren "
    "und Chips im kommenden Jahr noch einmal deutlich erhöhen. Microsoft, Alphabet, Amazon und "
    "Meta kündigten zusammen Investitionen von mehr als 400 Milliarden Dollar an. Analysten "
    "zeigten sich gespalten: Während die einen von einer historischen Chance sprechen, warnen "
    "andere vor einer Blase, weil die Erlöse mit künstlicher Intelligenz bislang weit hinter "
    "den Ausgaben zurückblieben. Die Aktien der Konzerne gaben nachbörslich leicht nach."
)
# An outlet's copy: its own opening line, the agency's last sentence cut.
EDITED = "Die KI-Milliarden fließen weiter. " + WIRE.removesuffix(
    " Die Aktien der Konzerne gaben nachbörslich leicht nach."
)
SAME_TOPIC = (
    "Die Investitionen in künstliche Intelligenz steigen weiter: Microsoft, Alphabet, Amazon "
    "und Meta planen für das kommende Jahr Rekordausgaben für Rechenzentren. Kritiker sehen "
    "darin eine Blase, da die Umsätze mit KI-Produkten bislang weit unter den Investitionen "
    "liegen. Befürworter halten dagegen, die Nachfrage nach Rechenleistung sei ungebrochen "
    "und jeder Dollar werde sich auszahlen. Die Börse reagierte zurückhaltend."
)
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_edited_copies_join_the_first_story_and_other_texts_do_not() -> None:
    stories = StoryIndex()
    assert stories.assign("a", WIRE, T0)[0] == "a"
    assert stories.assign("b", EDITED, T0 + timedelta(hours=2))[0] == "a"
    assert stories.assign("c", SAME_TOPIC, T0 + timedelta(hours=1))[0] == "c"
    # The same text a week later is a new story (a re-run, not a wire copy).
    assert stories.assign("d", WIRE, T0 + timedelta(days=7))[0] == "d"
    # Headline-length texts are never merged and get no signature.
    assert stories.assign("e", "KI-Blase? Konzerne erhöhen Ausgaben", T0) == ("e", None)


def test_signatures_survive_storage() -> None:
    stored = signature(WIRE)
    assert stored is not None
    _, data = StoryIndex().assign("a", WIRE, T0)
    assert data is not None
    restored = from_bytes(data)
    assert restored is not None and restored.jaccard(stored) == 1.0
    assert from_bytes(b"\0" * 8) is None  # a signature of other parameters is ignored


def rss(path: Path, link: str, text: str) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>KI-Ausgaben</title><link>{link}</link>"
        "<pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate>"
        f"<description>{text}</description></item></channel></rss>",
        encoding="utf-8",
    )
    return path


def test_collection_links_copies_across_outlets_and_runs(tmp_path: Path, settings) -> None:
    first = rss(tmp_path / "a.xml", "https://outlet-a.example/ki", WIRE)
    second = rss(tmp_path / "b.xml", "https://outlet-b.example/ki-ausgaben", EDITED)
    db = tmp_path / "t.sqlite"
    with Store.open(db) as store, HttpClient(settings.http_policy) as http:
        collect_one(store, Source("a", SourceKind.NEWS, "de", path=first), http, None, StoryIndex())
        # A later run: the index is rebuilt from the stored signatures.
        known = StoryIndex(store.story_signatures(T0 - timedelta(days=30)))
        collect_one(store, Source("b", SourceKind.NEWS, "de", path=second), http, None, known)
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT source, url, story_id FROM items ORDER BY source").fetchall()
    assert [r[0] for r in rows] == ["a", "b"]
    assert rows[0][2] == rows[1][2]  # one story, both links kept
    assert {r[1] for r in rows} == {
        "https://outlet-a.example/ki",
        "https://outlet-b.example/ki-ausgaben",
    }
