import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.errors import StorageError
from tracker.extract import make_document
from tracker.records import ItemKind, SentenceScore, Source, SourceKind, StoredItem
from tracker.score.article import aggregate_sentences
from tracker.storage import SCHEMA_VERSION, Store


def item(text: str = "Text.", content_hash: str = "h1") -> StoredItem:
    moment = datetime(2026, 3, 2, 8, tzinfo=UTC)
    return StoredItem(
        "id1",
        "src",
        ItemKind.ARTICLE,
        "https://x.org/a",
        "Titel",
        text,
        "de",
        moment,
        moment,
        content_hash,
    )


def test_schema_is_versioned_and_upserts_never_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.upsert_source(Source("src", SourceKind.NEWS, "de", url="https://x.org/f"))
        assert store.upsert_item(item()) == "new"
        assert store.upsert_item(item()) == "seen"
        assert store.upsert_item(item("Neuer Text.", "h2")) == "updated"
        assert store.item_count() == 1
    with Store.open(path) as store:  # reopening migrates nothing and loses nothing
        assert store.item_count() == 1


def test_scores_are_kept_per_text_version_and_model(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.sqlite") as store:
        store.upsert_source(Source("src", SourceKind.NEWS, "de", url="https://x.org/f"))
        store.upsert_item(item())
        assert [i.item_id for i in store.items_to_score("m1", ["de"])] == ["id1"]
        doc = make_document("Titel", "Text.", "de")
        score = aggregate_sentences(
            [SentenceScore(s.text, 0.5, 0.9, (0.6, 0.3, 0.1)) for s in doc.sentences], "m1"
        )
        with store.transaction():
            store.save_score("h1", doc, score)
        assert store.items_to_score("m1", ["de"]) == []
        assert len(store.items_to_score("m2", ["de"])) == 1  # another model scores anew
        store.upsert_item(item("Neuer Text.", "h2"))
        assert len(store.items_to_score("m1", ["de"])) == 1  # a changed text scores anew
        assert store.db.execute("SELECT COUNT(*) FROM scores").fetchone()[0] == 1  # old kept
        assert store.items_to_score("m1", ["en"]) == []


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="upgrade the tracker"), Store.open(path):
        pass


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StorageError, match="not a tracker database"), Store.open(path):
        pass
    assert path.read_bytes().startswith(b"not a database")
