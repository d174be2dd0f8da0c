"""The orchestrator: the only module that knows the order of the stages.

    collect → extract → (store) → score → figures → aggregate → export

`run_daily` is the cron job; `rebuild_index` re-exports the CSVs from the database;
`score_texts` scores texts given on the command line. A source that fails is logged,
counted and skipped; an item that cannot be processed is skipped with a warning.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import pandas as pd

from tracker.aggregate import (
    BREAKDOWNS,
    breakdown,
    daily_index,
    figure_mood,
    figure_sentences_in_index,
    figures_daily,
)
from tracker.collect import HttpClient, collect_source
from tracker.collect.archive import read_archive
from tracker.collect.fulltext import with_full_text
from tracker.collect.robots import Robots
from tracker.config import Settings
from tracker.errors import TrackerError
from tracker.export import write_atomic, write_table
from tracker.extract import content_hash, detect_language, document_text, item_text, make_document
from tracker.extract.stories import WINDOW, StoryIndex
from tracker.figures import FigureExtractor, extractor_version, summarize
from tracker.records import (
    LANGUAGES,
    ArticleScore,
    CollectedItem,
    Document,
    Figure,
    Source,
    SourceReport,
    StoredItem,
)
from tracker.runlock import exclusive_run
from tracker.score import Scorer, load_scorer, model_version, score_documents
from tracker.storage import RunTotals, Store, now_utc

log = logging.getLogger("tracker")
T = TypeVar("T")

# Items scored (and committed) together: small enough that a crash loses little work,
# large enough that sentence batches stay full.
SCORE_CHUNK = 64


class Progress(Protocol):
    def task(self, description: str, total: int) -> Callable[[int], None]:
        """Start a task of `total` steps; returns the function that advances it."""
        ...


class NoProgress:
    def task(self, description: str, total: int) -> Callable[[int], None]:
        return lambda steps: None


@dataclass
class DailyResult:
    run_id: int
    status: str  # ok | partial (some sources failed) | no_source (none could be read)
    reports: list[SourceReport]
    items_new: int = 0
    items_updated: int = 0
    items_scored: int = 0
    figures_extracted: int = 0
    index_files: list[Path] = field(default_factory=list)


def run_daily(
    sources: Sequence[Source],
    settings: Settings,
    feeds_file: str,
    progress: Progress | None = None,
    scorer: Scorer | None = None,
) -> DailyResult:
    """Collect every source, score what is new, extract figures, rebuild the index.
    Holds the data directory's run lock throughout (`BusyError` when another run has it)."""
    progress = progress or NoProgress()
    with exclusive_run(settings.data_dir, "daily"), Store.open(settings.db_path) as store:
        version = scorer.model_version if scorer else model_version(settings)
        store.mark_interrupted_runs()
        run_id = store.start_run(feeds_file, version)
        result = DailyResult(run_id, "ok", [])
        try:
            result.reports = _collect_all(store, run_id, sources, settings, progress)
            result.items_new = sum(r.items_new for r in result.reports)
            result.items_updated = sum(r.items_updated for r in result.reports)
            result.items_scored = score_pending(store, settings, version, progress, scorer)
            result.figures_extracted = extract_pending_figures(store, settings, progress)
            result.index_files = publish(store, settings, version)
        except BaseException as exc:
            store.finish_run(
                run_id, "failed", _totals(result), error=f"{type(exc).__name__}: {exc}"
            )
            raise
        failed = sum(r.status == "failed" for r in result.reports)
        if sources and failed == len(sources):
            result.status = "no_source"
        elif failed:
            result.status = "partial"
        store.finish_run(run_id, result.status, _totals(result))
        return result


@dataclass
class BackfillResult:
    run_id: int
    items_read: int
    items_new: int
    items_updated: int
    items_scored: int
    errors: list[str]
    index_files: list[Path] = field(default_factory=list)


def run_backfill(
    archive: Path,
    settings: Settings,
    progress: Progress | None = None,
    scorer: Scorer | None = None,
) -> BackfillResult:
    """Store an archive's dated articles (`collect/archive.py`), score them, extract their
    figures and rebuild the index and the report. Rerunning adds nothing."""
    progress = progress or NoProgress()
    records, errors = read_archive(archive)
    with exclusive_run(settings.data_dir, "backfill"), Store.open(settings.db_path) as store:
        version = scorer.model_version if scorer else model_version(settings)
        store.mark_interrupted_runs()
        run_id = store.start_run(str(archive), version)
        result = BackfillResult(run_id, len(records), 0, 0, 0, errors)
        try:
            oldest = min((r.item.published for r in records if r.item.published), default=None)
            stories = StoryIndex(store.story_signatures(oldest - WINDOW)) if oldest else None
            fetched = now_utc()
            counts: Counter[str] = Counter()
            advance = progress.task("store", len(records))
            for name, kind in sorted({(r.item.source, r.source_kind) for r in records}):
                store.ensure_source(Source(name, kind, "auto", path=archive))
            for chunk in _chunks(records, 500):
                with store.transaction():
                    for record in chunk:
                        try:
                            stored = to_stored(record.item, fetched)
                        except Exception as exc:  # one bad article never stops the backfill
                            errors.append(
                                f"{archive}: {record.item.url or record.item.title}: {exc}"
                            )
                            continue
                        outcome = store.upsert_item(stored)
                        counts[outcome] += 1
                        if outcome == "new" and stories is not None:
                            moment = stored.published or stored.fetched
                            story = stories.assign(stored.item_id, stored.text, moment)
                            store.set_story(stored.item_id, *story)
                advance(len(chunk))
            result.items_new, result.items_updated = counts["new"], counts["updated"]
            result.items_scored = score_pending(store, settings, version, progress, scorer)
            extract_pending_figures(store, settings, progress)
            result.index_files = publish(store, settings, version)
        except BaseException as exc:
            store.finish_run(run_id, "failed", _backfill_totals(result), f"{exc}")
            raise
        store.finish_run(run_id, "backfill", _backfill_totals(result))
    return result


def _backfill_totals(result: BackfillResult) -> RunTotals:
    return RunTotals(
        sources_total=1,
        sources_ok=1,
        sources_failed=0,
        items_new=result.items_new,
        items_updated=result.items_updated,
        items_scored=result.items_scored,
    )


def _totals(result: DailyResult) -> RunTotals:
    failed = sum(r.status == "failed" for r in result.reports)
    return RunTotals(
        sources_total=len(result.reports),
        sources_ok=len(result.reports) - failed,
        sources_failed=failed,
        items_new=result.items_new,
        items_updated=result.items_updated,
        items_scored=result.items_scored,
    )


def _collect_all(
    store: Store, run_id: int, sources: Sequence[Source], settings: Settings, progress: Progress
) -> list[SourceReport]:
    advance = progress.task("collect", len(sources))
    reports = []
    # Stories already stored that new items may repeat (wire copies come within days).
    stories = StoryIndex(store.story_signatures(now_utc() - 4 * WINDOW))
    with HttpClient(settings.http_policy) as http:
        robots = Robots(http)
        for source in sources:
            report = collect_one(
                store, source, http, robots if settings.full_text else None, stories
            )
            store.save_run_source(run_id, report)
            if report.status == "failed":
                log.warning("source %s failed: %s", source.name, report.error)
            for warning in report.warnings:
                log.warning("%s", warning)
            reports.append(report)
            advance(1)
    return reports


def collect_one(
    store: Store,
    source: Source,
    http: HttpClient,
    robots: Robots | None = None,
    stories: StoryIndex | None = None,
) -> SourceReport:
    """Fetch one source, fetch the full text of its new items (when `robots` is given:
    article pages and podcast transcripts), and store new and changed items in one
    transaction; with `stories`, each new item joins the wire story it repeats."""
    started = time.monotonic()
    store.upsert_source(source)
    etag, last_modified = store.validators(source.name)
    try:
        result = collect_source(source, http, etag, last_modified)
    except TrackerError as exc:
        return SourceReport(
            source.name, "failed", error=str(exc), seconds=time.monotonic() - started
        )
    except Exception as exc:  # one broken source must never stop the run
        log.exception("unexpected error while collecting %s", source.name)
        return SourceReport(
            source.name,
            "failed",
            error=f"{type(exc).__name__}: {exc}",
            seconds=time.monotonic() - started,
        )
    if result.not_modified:
        return SourceReport(
            source.name, "not_modified", http_status=304, seconds=time.monotonic() - started
        )
    warnings = list(result.warnings)
    items, pages = result.items, 0
    if robots is not None:
        known = store.text_sources([item.item_id for item in items])
        items = []
        for item in result.items:
            if item.item_id in known:  # never fetched twice: its text is stored
                items.append(item)
                continue
            full = with_full_text(item, http, robots)
            pages += full.fetched
            if full.note:
                log.info("%s: %s", source.name, full.note)
            items.append(full.item)
    fetched = now_utc()
    counts: Counter[str] = Counter()
    with store.transaction():
        for item in items:
            try:
                stored = to_stored(item, fetched)
            except Exception as exc:  # one broken item must never stop the source
                warnings.append(f"{source.name}: item {item.url or item.item_id} skipped: {exc}")
                continue
            outcome = store.upsert_item(stored)
            counts[outcome] += 1
            if outcome == "new" and stories is not None:
                moment = stored.published or stored.fetched
                store.set_story(
                    stored.item_id, *stories.assign(stored.item_id, stored.text, moment)
                )
            if outcome == "new" and stored.lang not in LANGUAGES:
                counts["other_lang"] += 1
        # Validators are saved with the items: a crash never leaves a 304 hiding lost items.
        store.save_validators(source.name, result.etag, result.last_modified)
    return SourceReport(
        source.name,
        "ok",
        items_seen=len(result.items),
        items_new=counts["new"],
        items_updated=counts["updated"],
        http_status=result.http_status,
        seconds=time.monotonic() - started,
        warnings=tuple(warnings),
        items_other_lang=counts["other_lang"],
        pages_fetched=pages,
    )


def to_stored(item: CollectedItem, fetched: datetime) -> StoredItem:
    title, body = item_text(item)
    text = document_text(title, body)
    return StoredItem(
        item_id=item.item_id,
        source=item.source,
        kind=item.kind,
        url=item.url,
        title=title,
        text=body,
        lang=detect_language(text, item.language_hint),
        published=item.published,
        fetched=fetched,
        content_hash=content_hash(text),
        text_source=item.text_source,
        author=item.author,
    )


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def score_pending(
    store: Store,
    settings: Settings,
    version: str,
    progress: Progress,
    scorer: Scorer | None = None,
) -> int:
    """Score every stored German or English item that has no score from this model yet."""
    pending = store.items_to_score(version, LANGUAGES)
    if not pending:
        return 0
    scorer = scorer or load_scorer(settings)
    documents = {
        item.content_hash: make_document(item.title, item.text, item.lang) for item in pending
    }
    advance = progress.task("score", sum(len(d.units()) for d in documents.values()))
    scored = 0
    unique = list({item.content_hash: item for item in pending}.values())
    for chunk in _chunks(unique, SCORE_CHUNK):
        docs = [documents[item.content_hash] for item in chunk]
        scores = score_documents(scorer, docs, advance)
        with store.transaction():
            for item, doc, score in zip(chunk, docs, scores, strict=True):
                store.save_score(item.content_hash, doc, score)
        scored += len(chunk)
    return scored


def extract_pending_figures(store: Store, settings: Settings, progress: Progress) -> int:
    # The version is read from the registry; the pipelines load only when there is work.
    pending = store.items_without_figures(extractor_version(settings.models_dir), LANGUAGES)
    unique = list({item.content_hash: item for item in pending}.values())
    if not unique:
        return 0
    extractor = FigureExtractor.from_models(settings.models_dir)
    advance = progress.task("figures", len(unique))
    for chunk in _chunks(unique, SCORE_CHUNK * 4):
        docs = [make_document(item.title, item.text, item.lang) for item in chunk]
        mentions = extractor.extract(docs)
        with store.transaction():
            for item, found in zip(chunk, mentions, strict=True):
                store.save_figures(item.content_hash, extractor.version, found)
        advance(len(chunk))
    return len(unique)


def index_tables(store: Store, settings: Settings, version: str) -> dict[str, pd.DataFrame]:
    """Every index table, by file name, from the scores of `version`."""
    articles = store.scored_articles(version)
    if articles.empty:
        others = [v for v in store.score_versions() if v != version]
        if others:
            log.warning(
                "no scores from model %s yet; the database holds scores from %s. "
                "Run `tracker daily` to score with the current model, or choose the scorer "
                "with --scorer.",
                version,
                ", ".join(others),
            )
    daily = daily_index(articles, settings.min_relevance, version, store.last_fetch())
    sentences = store.figure_sentences(version, extractor_version(settings.models_dir))
    figures = figures_daily(sentences, articles, settings.min_relevance)
    tables = {"daily_index.csv": daily, "figures_daily.csv": figures}
    for key, name in BREAKDOWNS.items():
        tables[name] = breakdown(articles, settings.min_relevance, key)
    return tables


def rebuild_index(
    store: Store,
    settings: Settings,
    version: str,
    start: str | None = None,
    end: str | None = None,
    fmt: str = "csv",
    folder: Path | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write DATA/index/*.csv (or `folder`, or .parquet) from the database, using the
    scores of `version`; with `start` / `end` (ISO dates), only those days' rows (the
    smoothed series still see the whole history)."""
    tables = tables if tables is not None else index_tables(store, settings, version)
    folder = folder or settings.index_dir
    written = []
    for name, table in tables.items():
        if start:
            table = table[table["date"] >= start]
        if end:
            table = table[table["date"] <= end]
        written.append(write_table(table, folder / name, fmt))
    return written


def publish(store: Store, settings: Settings, version: str) -> list[Path]:
    """The index tables, then the report drawn from the same tables. A report that
    cannot be drawn is logged, not fatal: the tables are the product."""
    tables = index_tables(store, settings, version)
    written = rebuild_index(store, settings, version, tables=tables)
    try:
        written += write_report(store, settings, version, tables=tables)
    except Exception:
        log.exception("the report could not be written; the index tables are up to date")
    return written


def write_report(
    store: Store,
    settings: Settings,
    version: str,
    days: int = 14,
    path: Path | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """DATA/report/index.html (chart embedded) and DATA/report/daily_index.png; `tables`
    (see `index_tables`) when they were just computed."""
    from tracker.export.chart import index_chart
    from tracker.export.report import Driver, build_report
    from tracker.export.report import write_report as write_page

    tables = tables if tables is not None else index_tables(store, settings, version)
    daily, by_language = tables["daily_index.csv"], tables[BREAKDOWNS["lang"]]
    valued = daily.dropna(subset=["index"])
    latest = str(valued["date"].iloc[-1]) if not valued.empty else "9999-12-31"
    start = (date.fromisoformat(latest[:10]) - timedelta(days=days - 1)).isoformat()
    figures = figure_ranking(store, settings, version, start, latest).head(15)
    recent = sorted(valued["date"])[-3:]
    drivers = [
        Driver(
            date=str(row["day"]),
            source=str(row["source"]),
            title=str(row["title"] or ""),
            url=str(row["url"]) if row["url"] else None,
            sentence=document_text(str(row["title"] or ""), str(row["text"]))[
                int(row["start"]) : int(row["end"])
            ].strip(),
            stance=float(row["stance"]),
            relevance=float(row["relevance"]),
        )
        for row in store.sentence_drivers(
            version, recent[0] if recent else latest, settings.min_relevance, 12
        )
    ]
    chart = index_chart(daily.tail(max(days, 90)))
    folder = settings.data_dir / "report"
    page = build_report(daily, by_language, figures, drivers, chart, days)
    png = folder / "daily_index.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(png, chart)
    return [write_page(page, path or folder / "index.html"), png]


def figure_ranking(
    store: Store,
    settings: Settings,
    version: str,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Figures of the articles in the index between `start` and `end` (ISO dates, both
    included), most-mentioned first, with the mood of the sentences that mention them."""
    articles = store.scored_articles(version)
    sentences = store.figure_sentences(version, extractor_version(settings.models_dir))
    rows = figure_sentences_in_index(sentences, articles, settings.min_relevance)
    if start:
        rows = rows[rows["date"] >= start]
    if end:
        rows = rows[rows["date"] <= end]
    ranking = figure_mood(rows, ["figure", "type"])
    ranking = ranking.sort_values(
        ["mentions", "articles", "figure"], ascending=[False, False, True]
    )
    return ranking.reset_index(drop=True)


@dataclass(frozen=True)
class ScoredText:
    document: Document
    score: ArticleScore
    figures: list[Figure]


def score_texts(
    texts: Sequence[tuple[str, str, str]],
    scorer: Scorer,
    extractor: FigureExtractor,
    progress: Callable[[int], None] | None = None,
) -> list[ScoredText]:
    """Score (title, body, language hint) triples; language "auto" is detected."""
    documents = []
    for title, body, hint in texts:
        text = document_text(title, body)
        lang = hint if hint in LANGUAGES else detect_language(text, hint)
        documents.append(make_document(title, body, lang))
    scores = score_documents(scorer, documents, progress)
    mentions = extractor.extract(documents)
    return [
        ScoredText(doc, score, summarize(found))
        for doc, score, found in zip(documents, scores, mentions, strict=True)
    ]
