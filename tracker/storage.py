"""The embedded SQLite database in the data directory (`DATA/tracker.sqlite`).

It keeps sources (with their HTTP validators), items, article and sentence scores (keyed by
content hash and model version, so a changed text or a new model never overwrites an old
score), figure mentions, and a record of every run with per-source results. The schema is
versioned with `PRAGMA user_version`; `MIGRATIONS[n]` takes a database from version n to n+1.
Writes happen in transactions; the journal is write-ahead, so readers never see half a run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.errors import StorageError
from tracker.extract.stories import Known, from_bytes
from tracker.records import (
    ArticleScore,
    Document,
    FigureMention,
    ItemKind,
    Source,
    SourceReport,
    StoredItem,
    TextSource,
)

SCHEMA_VERSION = 2

MIGRATIONS: list[str] = [
    # 0 → 1: the first schema.
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        location TEXT NOT NULL,
        kind TEXT NOT NULL,
        language TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        etag TEXT,
        last_modified TEXT,
        first_seen TEXT NOT NULL,
        last_fetched TEXT
    );
    CREATE TABLE items (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL REFERENCES sources(name),
        kind TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        lang TEXT NOT NULL,
        published TEXT,
        fetched TEXT NOT NULL,
        updated TEXT NOT NULL,
        content_hash TEXT NOT NULL
    );
    CREATE INDEX items_published ON items(published);
    CREATE INDEX items_content_hash ON items(content_hash);
    CREATE TABLE scores (
        content_hash TEXT NOT NULL,
        model_version TEXT NOT NULL,
        stance REAL NOT NULL,
        label TEXT NOT NULL,
        relevance REAL NOT NULL,
        confidence REAL NOT NULL,
        p_fomo REAL NOT NULL,
        p_neutral REAL NOT NULL,
        p_overspend REAL NOT NULL,
        n_sentences INTEGER NOT NULL,
        scored_at TEXT NOT NULL,
        PRIMARY KEY (content_hash, model_version)
    );
    CREATE TABLE sentence_scores (
        content_hash TEXT NOT NULL,
        model_version TEXT NOT NULL,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        stance REAL NOT NULL,
        relevance REAL NOT NULL,
        p_fomo REAL NOT NULL,
        p_neutral REAL NOT NULL,
        p_overspend REAL NOT NULL,
        PRIMARY KEY (content_hash, model_version, idx)
    );
    CREATE TABLE figure_extractions (
        content_hash TEXT NOT NULL,
        extractor_version TEXT NOT NULL,
        extracted_at TEXT NOT NULL,
        PRIMARY KEY (content_hash, extractor_version)
    );
    CREATE TABLE figure_mentions (
        content_hash TEXT NOT NULL,
        extractor_version TEXT NOT NULL,
        idx INTEGER NOT NULL,
        figure TEXT NOT NULL,
        type TEXT NOT NULL,
        surface TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        in_registry INTEGER NOT NULL,
        PRIMARY KEY (content_hash, extractor_version, idx)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,
        feeds_file TEXT,
        model_version TEXT,
        sources_total INTEGER NOT NULL DEFAULT 0,
        sources_ok INTEGER NOT NULL DEFAULT 0,
        sources_failed INTEGER NOT NULL DEFAULT 0,
        items_new INTEGER NOT NULL DEFAULT 0,
        items_updated INTEGER NOT NULL DEFAULT 0,
        items_scored INTEGER NOT NULL DEFAULT 0,
        error TEXT
    );
    CREATE TABLE run_sources (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        http_status INTEGER,
        items_seen INTEGER NOT NULL,
        items_new INTEGER NOT NULL,
        items_updated INTEGER NOT NULL,
        error TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        seconds REAL NOT NULL,
        PRIMARY KEY (run_id, source)
    );
    """,
    # 1 → 2: where each text came from (feed, article page, transcript), its author, and
    # the story an item belongs to (the same wire story across outlets is one story).
    """
    ALTER TABLE items ADD COLUMN text_source TEXT NOT NULL DEFAULT 'feed';
    ALTER TABLE items ADD COLUMN author TEXT;
    ALTER TABLE items ADD COLUMN story_id TEXT;
    ALTER TABLE items ADD COLUMN minhash BLOB;
    CREATE INDEX items_story ON items(story_id);
    ALTER TABLE run_sources ADD COLUMN items_other_lang INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE run_sources ADD COLUMN pages_fetched INTEGER NOT NULL DEFAULT 0;
    """,
]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


@dataclass(frozen=True)
class RunTotals:
    sources_total: int
    sources_ok: int
    sources_failed: int
    items_new: int
    items_updated: int
    items_scored: int


class Store:
    """A connection to the tracker database; use `Store.open(path)` as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[Store]:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(
                f"cannot open the database {path}: {exc}. "
                "Fix: check --data-dir points at a writable folder."
            ) from None
        connection.row_factory = sqlite3.Row
        try:
            store = cls(connection, path)
            store._prepare()
            yield store
        finally:
            connection.close()

    def _prepare(self) -> None:
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            current = self.db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StorageError(
                f"{self.path} is not a tracker database ({exc}). "
                "Fix: point --data-dir at another folder; do not delete the file unless you "
                "know it holds nothing you need."
            ) from None
        if current > SCHEMA_VERSION:
            raise StorageError(
                f"{self.path} has schema version {current}, newer than this tracker "
                f"understands ({SCHEMA_VERSION}). Fix: upgrade the tracker."
            )
        if current < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Bring the schema up to date in one transaction; another process may race us."""
        with self.transaction():
            current = self.db.execute("PRAGMA user_version").fetchone()[0]
            for version in range(current, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[version]):
                    self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- sources ----------------------------------------------------------------------------

    def upsert_source(self, source: Source) -> None:
        self.db.execute(
            """INSERT INTO sources (name, location, kind, language, tags, first_seen)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET location=excluded.location,
                   kind=excluded.kind, language=excluded.language, tags=excluded.tags""",
            (
                source.name,
                source.location,
                source.kind.value,
                source.language,
                json.dumps(list(source.tags)),
                _iso(now_utc()),
            ),
        )

    def ensure_source(self, source: Source) -> None:
        """Register a source unless it is known (a backfill never rewrites a feed's row)."""
        if not self.db.execute("SELECT 1 FROM sources WHERE name = ?", (source.name,)).fetchone():
            self.upsert_source(source)

    def validators(self, source: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified of the source's last successful fetch."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM sources WHERE name = ?", (source,)
        ).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def save_validators(self, source: str, etag: str | None, last_modified: str | None) -> None:
        self.db.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, last_fetched = ? WHERE name = ?",
            (etag, last_modified, _iso(now_utc()), source),
        )

    # -- items ------------------------------------------------------------------------------

    def upsert_item(self, item: StoredItem) -> str:
        """Store an item; returns "new", "updated" (text changed) or "seen" (unchanged).

        A changed text replaces the stored one, but its old scores stay in the database
        (they are keyed by content hash); the publish date never moves. A text taken from
        the article page or a transcript is not replaced by the feed's teaser.
        """
        row = self.db.execute(
            "SELECT content_hash, text_source FROM items WHERE id = ?", (item.item_id,)
        ).fetchone()
        if row is None:
            self.db.execute(
                """INSERT INTO items (id, source, kind, url, title, text, lang, published,
                                      fetched, updated, content_hash, text_source, author)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    item.item_id,
                    item.source,
                    item.kind.value,
                    item.url,
                    item.title,
                    item.text,
                    item.lang,
                    _iso(item.published),
                    _iso(item.fetched),
                    _iso(item.fetched),
                    item.content_hash,
                    item.text_source.value,
                    item.author,
                ),
            )
            return "new"
        if row["content_hash"] == item.content_hash or (
            row["text_source"] != TextSource.FEED and item.text_source == TextSource.FEED
        ):
            return "seen"
        self.db.execute(
            """UPDATE items SET title = ?, text = ?, lang = ?, url = ?, updated = ?,
                                content_hash = ? WHERE id = ?""",
            (
                item.title,
                item.text,
                item.lang,
                item.url,
                _iso(item.fetched),
                item.content_hash,
                item.item_id,
            ),
        )
        return "updated"

    def text_sources(self, item_ids: Sequence[str]) -> dict[str, TextSource]:
        """Where the stored text of each of these items came from; unknown ids are absent."""
        found: dict[str, TextSource] = {}
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                f"SELECT id, text_source FROM items WHERE id IN ({marks})", chunk
            ):
                found[r["id"]] = TextSource(r["text_source"])
        return found

    def set_story(self, item_id: str, story_id: str, minhash: bytes | None) -> None:
        self.db.execute(
            "UPDATE items SET story_id = ?, minhash = ? WHERE id = ?", (story_id, minhash, item_id)
        )

    def story_signatures(self, since: datetime) -> Iterator[Known]:
        """Items published (or fetched) since `since` that have a text signature."""
        rows = self.db.execute(
            """SELECT id, COALESCE(story_id, id) AS story, minhash,
                      COALESCE(published, fetched) AS moment
               FROM items WHERE minhash IS NOT NULL AND COALESCE(published, fetched) >= ?""",
            (_iso(since),),
        )
        for row in rows:
            minhash = from_bytes(row["minhash"])
            moment = _parse(row["moment"])
            if minhash is not None and moment is not None:
                yield Known(row["id"], row["story"], moment, minhash)

    def last_fetch(self) -> str | None:
        """ISO time of the most recent fetch of any item."""
        return self.db.execute("SELECT MAX(fetched) FROM items").fetchone()[0]

    def item_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def _items(self, where: str, params: Sequence[object]) -> list[StoredItem]:
        rows = self.db.execute(
            f"""SELECT id, source, kind, url, title, text, lang, published, fetched, content_hash,
                       text_source, author
                FROM items i WHERE {where} ORDER BY published, id""",
            params,
        ).fetchall()
        return [
            StoredItem(
                item_id=r["id"],
                source=r["source"],
                kind=ItemKind(r["kind"]),
                url=r["url"],
                title=r["title"],
                text=r["text"],
                lang=r["lang"],
                published=_parse(r["published"]),
                fetched=_parse(r["fetched"]) or now_utc(),
                content_hash=r["content_hash"],
                text_source=TextSource(r["text_source"]),
                author=r["author"],
            )
            for r in rows
        ]

    def items_to_score(self, model_version: str, languages: Sequence[str]) -> list[StoredItem]:
        """Items in the given languages whose current text has no score from this model."""
        marks = ",".join("?" * len(languages))
        return self._items(
            f"""lang IN ({marks}) AND NOT EXISTS (SELECT 1 FROM scores s
                WHERE s.content_hash = i.content_hash AND s.model_version = ?)""",
            [*languages, model_version],
        )

    def items_without_figures(
        self, extractor_version: str, languages: Sequence[str]
    ) -> list[StoredItem]:
        marks = ",".join("?" * len(languages))
        return self._items(
            f"""lang IN ({marks}) AND NOT EXISTS (SELECT 1 FROM figure_extractions f
                WHERE f.content_hash = i.content_hash AND f.extractor_version = ?)""",
            [*languages, extractor_version],
        )

    # -- scores and figures -----------------------------------------------------------------

    def save_score(self, content_hash: str, document: Document, score: ArticleScore) -> None:
        """Store an article score and its sentence scores (call inside a transaction)."""
        self.db.execute(
            """INSERT OR REPLACE INTO scores (content_hash, model_version, stance, label,
                   relevance, confidence, p_fomo, p_neutral, p_overspend, n_sentences, scored_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                content_hash,
                score.model_version,
                score.stance,
                score.label,
                score.relevance,
                score.confidence,
                *score.probs,
                len(score.sentences),
                _iso(now_utc()),
            ),
        )
        self.db.execute(
            "DELETE FROM sentence_scores WHERE content_hash = ? AND model_version = ?",
            (content_hash, score.model_version),
        )
        self.db.executemany(
            """INSERT INTO sentence_scores (content_hash, model_version, idx, start, end,
                   stance, relevance, p_fomo, p_neutral, p_overspend)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    content_hash,
                    score.model_version,
                    idx,
                    sentence.start,
                    sentence.end,
                    s.stance,
                    s.relevance,
                    *s.probs,
                )
                for idx, (sentence, s) in enumerate(
                    zip(document.sentences, score.sentences, strict=True)
                )
            ],
        )

    def save_figures(
        self, content_hash: str, extractor_version: str, mentions: Sequence[FigureMention]
    ) -> None:
        """Store an item's figure mentions (call inside a transaction)."""
        self.db.execute(
            "DELETE FROM figure_mentions WHERE content_hash = ? AND extractor_version = ?",
            (content_hash, extractor_version),
        )
        self.db.executemany(
            """INSERT INTO figure_mentions (content_hash, extractor_version, idx, figure, type,
                   surface, start, end, in_registry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    content_hash,
                    extractor_version,
                    idx,
                    m.name,
                    m.type,
                    m.surface,
                    m.start,
                    m.end,
                    int(m.in_registry),
                )
                for idx, m in enumerate(mentions)
            ],
        )
        self.db.execute(
            """INSERT OR REPLACE INTO figure_extractions (content_hash, extractor_version,
                   extracted_at) VALUES (?, ?, ?)""",
            (content_hash, extractor_version, _iso(now_utc())),
        )

    def scored_articles(self, model_version: str) -> pd.DataFrame:
        """One row per item scored by `model_version`: what the aggregator needs."""
        query = """
            SELECT i.id AS item_id, i.source, i.kind, i.lang, i.url, i.title,
                   COALESCE(i.story_id, i.id) AS story_id, i.text_source,
                   COALESCE(i.published, i.fetched) AS published,
                   s.stance, s.label, s.relevance, s.confidence, s.scored_at
            FROM items i JOIN scores s
              ON s.content_hash = i.content_hash AND s.model_version = ?
            ORDER BY i.id"""
        return pd.read_sql_query(query, self.db, params=(model_version,))

    def figure_sentences(self, model_version: str, extractor_version: str) -> pd.DataFrame:
        """One row per (item, figure, sentence that mentions it): the figure's mentions in
        that sentence and the sentence's scores by `model_version` (empty scores when a
        mention lies outside every scored sentence)."""
        query = """
            SELECT i.id AS item_id, f.figure, f.type, ss.idx AS sentence,
                   COUNT(*) AS mentions, ss.stance, ss.relevance,
                   ss.p_fomo, ss.p_neutral, ss.p_overspend
            FROM items i
            JOIN scores s ON s.content_hash = i.content_hash AND s.model_version = :model
            JOIN figure_mentions f
              ON f.content_hash = i.content_hash AND f.extractor_version = :extractor
            LEFT JOIN sentence_scores ss
              ON ss.content_hash = i.content_hash AND ss.model_version = :model
             AND ss.start <= f.start AND f.start < ss.end
            GROUP BY i.id, f.figure, f.type, ss.idx
            ORDER BY i.id, ss.idx"""
        return pd.read_sql_query(
            query, self.db, params={"model": model_version, "extractor": extractor_version}
        )

    def sentence_drivers(
        self, model_version: str, first_day: str, min_relevance: float, limit: int
    ) -> list[dict[str, Any]]:
        """The sentences that moved the score most (relevance × |stance|) in the relevant
        articles published on or after `first_day`, with their article."""
        rows = self.db.execute(
            """SELECT substr(COALESCE(i.published, i.fetched), 1, 10) AS day, i.source,
                      i.title, i.text, i.url, ss.start, ss.end, ss.stance, ss.relevance
               FROM items i
               JOIN scores s ON s.content_hash = i.content_hash AND s.model_version = :model
               JOIN sentence_scores ss
                 ON ss.content_hash = i.content_hash AND ss.model_version = :model
               WHERE substr(COALESCE(i.published, i.fetched), 1, 10) >= :day
                 AND s.relevance >= :relevance
               ORDER BY ss.relevance * ABS(ss.stance) DESC, i.id, ss.idx
               LIMIT :limit""",
            {"model": model_version, "day": first_day, "relevance": min_relevance, "limit": limit},
        ).fetchall()
        return [dict(row) for row in rows]

    def score_versions(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT model_version FROM scores ORDER BY 1").fetchall()
        return [r[0] for r in rows]

    # -- runs -------------------------------------------------------------------------------

    def recent_runs(self, limit: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            """SELECT id, started, finished, status, feeds_file, sources_total, sources_failed,
                      items_new, items_updated, items_scored, error
               FROM runs ORDER BY id DESC LIMIT ?""",
            (limit,),
        ).fetchall()
        return [dict(row) for row in rows]

    def failing_sources(self) -> list[dict[str, Any]]:
        """Sources whose latest runs failed: how many runs in a row, since when, and the
        latest error; longest streak first."""
        rows = self.db.execute(
            """SELECT rs.source, rs.status, rs.error, r.started
               FROM run_sources rs JOIN runs r ON r.id = rs.run_id
               ORDER BY rs.source, rs.run_id DESC"""
        ).fetchall()
        failing: dict[str, dict[str, Any]] = {}
        done: set[str] = set()
        for row in rows:
            source = row["source"]
            if source in done:
                continue
            if row["status"] != "failed":
                done.add(source)
                continue
            streak = failing.setdefault(
                source, {"source": source, "failed_runs": 0, "last_error": row["error"]}
            )
            streak["failed_runs"] += 1
            streak["since"] = row["started"]
        return sorted(failing.values(), key=lambda s: (-s["failed_runs"], s["source"]))

    def mark_interrupted_runs(self) -> int:
        """Runs still marked running were killed (the caller holds the run lock)."""
        cursor = self.db.execute(
            "UPDATE runs SET status = 'interrupted', error = 'the process ended without "
            "finishing (killed or crashed); the next run finished its work' "
            "WHERE status = 'running'"
        )
        return cursor.rowcount

    def start_run(self, feeds_file: str, model_version: str) -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (started, status, feeds_file, model_version) VALUES (?, ?, ?, ?)",
            (_iso(now_utc()), "running", feeds_file, model_version),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def save_run_source(self, run_id: int, report: SourceReport) -> None:
        self.db.execute(
            """INSERT OR REPLACE INTO run_sources (run_id, source, status, http_status,
                   items_seen, items_new, items_updated, error, warnings, seconds,
                   items_other_lang, pages_fetched)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                run_id,
                report.source,
                report.status,
                report.http_status,
                report.items_seen,
                report.items_new,
                report.items_updated,
                report.error,
                json.dumps(list(report.warnings), ensure_ascii=False),
                round(report.seconds, 3),
                report.items_other_lang,
                report.pages_fetched,
            ),
        )

    def finish_run(
        self, run_id: int, status: str, totals: RunTotals, error: str | None = None
    ) -> None:
        self.db.execute(
            """UPDATE runs SET finished = ?, status = ?, sources_total = ?, sources_ok = ?,
                   sources_failed = ?, items_new = ?, items_updated = ?, items_scored = ?,
                   error = ? WHERE id = ?""",
            (
                _iso(now_utc()),
                status,
                totals.sources_total,
                totals.sources_ok,
                totals.sources_failed,
                totals.items_new,
                totals.items_updated,
                totals.items_scored,
                error,
                run_id,
            ),
        )
