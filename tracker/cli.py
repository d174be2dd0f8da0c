"""The `tracker` command line: a thin layer over `tracker.pipeline`.

Exit codes (also in the README): 0 ran (some sources may have failed); 1 unexpected error;
2 invalid configuration or input; 3 no source could be read; 4 a model could not be loaded;
5 the database could not be opened; 6 another run holds the data directory.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tracker.collect import HttpClient
from tracker.config import Settings, load_sources
from tracker.errors import EXIT_NO_SOURCE, EXIT_OK, FetchError, InputError, TrackerError
from tracker.extract import page_main_text
from tracker.figures import FigureExtractor
from tracker.pipeline import (
    ScoredText,
    figure_ranking,
    rebuild_index,
    run_backfill,
    run_daily,
    score_texts,
    write_report,
)
from tracker.score import SCORERS, load_scorer, model_version
from tracker.storage import Store

log = logging.getLogger("tracker")
_BATCH_CHUNK = 256  # input lines scored together in --batch mode


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def task(self, description: str, total: int) -> Callable[[int], None]:
        task_id = self._progress.add_task(description, total=total)
        return lambda steps: self._progress.advance(task_id, steps)


def _progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _stderr_console(show_progress: bool | None) -> Console:
    return Console(stderr=True, force_terminal=True if show_progress else None)


class _JsonLines(logging.Formatter):
    """One JSON object per log record, for log collectors ($TRACKER_LOG_JSON=1)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _setup_logging(verbose: bool, console: Console) -> None:
    as_json = os.environ.get("TRACKER_LOG_JSON", "").lower() in ("1", "true", "yes", "on")
    handler: logging.Handler
    if as_json:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_JsonLines())
    elif console.is_terminal:
        handler = RichHandler(console=console, show_path=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def _settings(data_dir: Path | None, scorer: str | None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings = replace(settings, data_dir=data_dir)
    if scorer is not None:
        settings = replace(settings, scorer=scorer)
    return settings


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--data-dir, --scorer and --verbose, shared by every command."""
    command = click.option("-v", "--verbose", is_flag=True, help="Log each step.")(command)
    command = click.option(
        "--scorer",
        type=click.Choice(SCORERS),
        default=None,
        help="e5: the multilingual transformer (default); lexicon: the keyword baseline.",
    )(command)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Where the database and CSVs live (default: $TRACKER_DATA_DIR or ./data).",
    )(command)


@click.group()
@click.version_option(package_name="ai-bubble-tracker")
def cli() -> None:
    """AI-bubble discourse tracker: FOMO versus fear of overspending, in German and English."""


@cli.command()
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("feeds.yaml"),
    show_default=True,
    help="The sources to collect.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress bars (default: when stderr is a terminal).",
)
@click.option(
    "--full-text/--no-full-text",
    default=None,
    help="Fetch the article page or transcript of each new item "
    "(default: on, or $TRACKER_FULL_TEXT).",
)
@click.option(
    "--host-delay",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between two requests to one host (default: 1, or $TRACKER_HOST_DELAY).",
)
@common_options
def daily(
    feeds_file: Path,
    progress: bool | None,
    full_text: bool | None,
    host_delay: float | None,
    data_dir: Path | None,
    scorer: str | None,
    verbose: bool,
) -> int:
    """Collect all sources, score what is new, extract figures, rebuild the index."""
    settings = _settings(data_dir, scorer)
    if full_text is not None:
        settings = replace(settings, full_text=full_text)
    if host_delay is not None:
        settings = replace(settings, host_delay_s=host_delay)
    console = _stderr_console(progress)
    _setup_logging(verbose, console)
    sources = load_sources(feeds_file)
    show = console.is_terminal if progress is None else progress
    if show:
        with _progress_bar(console) as bar:
            result = run_daily(sources, settings, str(feeds_file), _RichProgress(bar))
    else:
        result = run_daily(sources, settings, str(feeds_file))

    table = Table(title=f"run {result.run_id}: {len(sources)} sources", title_justify="left")
    numbers = ("new", "updated", "seen", "other lang", "pages")
    for column in ("source", "status", *numbers, "error"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for r in result.reports:
        table.add_row(
            r.source,
            r.status,
            str(r.items_new),
            str(r.items_updated),
            str(r.items_seen),
            str(r.items_other_lang),
            str(r.pages_fetched),
            (r.error or "")[:100],
        )
    out = Console(width=160)
    out.print(table)
    failed = sum(r.status == "failed" for r in result.reports)
    out.print(
        f"new items: {result.items_new}, updated: {result.items_updated}, "
        f"scored: {result.items_scored}, failed sources: {failed} of {len(sources)}"
    )
    for path in result.index_files:
        out.print(f"wrote {path}")
    if result.status == "no_source":
        click.echo(
            f"tracker: no source could be read ({failed} of {len(sources)} failed; see the "
            "error column). The network may be unreachable from here, or the feeds file may be "
            "wrong. The index was rebuilt from what is already stored. To see the tracker work "
            "offline, run: tracker daily --feeds samples/feeds.yaml",
            err=True,
        )
        return EXIT_NO_SOURCE
    return EXIT_OK


@cli.command()
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (UTC)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format of the tables.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write to (default: DATA/index).",
)
@common_options
def index(
    start: Any,
    end: Any,
    fmt: str,
    out: Path | None,
    data_dir: Path | None,
    scorer: str | None,
    verbose: bool,
) -> int:
    """Rebuild the index tables from the database (no fetching, no scoring)."""
    settings = _settings(data_dir, scorer)
    _setup_logging(verbose, _stderr_console(None))
    _require_database(settings)
    first, last = _iso_day(start), _iso_day(end)
    with Store.open(settings.db_path) as store:
        paths = rebuild_index(store, settings, model_version(settings), first, last, fmt, out)
    for path in paths:
        click.echo(f"wrote {path}")
    return EXIT_OK


@cli.command()
@click.option("--runs", default=10, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object: runs and failing.")
@common_options
def status(
    runs: int, as_json: bool, data_dir: Path | None, scorer: str | None, verbose: bool
) -> int:
    """Recent runs and the sources that keep failing."""
    settings = _settings(data_dir, scorer)
    _setup_logging(verbose, _stderr_console(None))
    _require_database(settings)
    with Store.open(settings.db_path) as store:
        recent = store.recent_runs(runs)
        failing = store.failing_sources()
    for run in recent:
        run["seconds"] = _duration(run["started"], run["finished"])
    if as_json:
        click.echo(json.dumps({"runs": recent, "failing_sources": failing}, ensure_ascii=False))
        return EXIT_OK
    table = Table(title="recent runs", title_justify="left")
    for column in ("run", "started", "seconds", "status", "sources failed", "new", "scored"):
        table.add_column(column, justify="left" if column in ("started", "status") else "right")
    for run in recent:
        table.add_row(
            str(run["id"]),
            run["started"],
            "–" if run["seconds"] is None else f"{run['seconds']:.0f}",
            run["status"],
            f"{run['sources_failed']} of {run['sources_total']}",
            str(run["items_new"]),
            str(run["items_scored"]),
        )
    console = Console()
    console.print(table)
    if failing:
        table = Table(title="failing sources", title_justify="left")
        for column in ("source", "failed runs in a row", "since", "latest error"):
            table.add_column(column)
        for source in failing:
            table.add_row(
                source["source"],
                str(source["failed_runs"]),
                source["since"],
                (source["last_error"] or "")[:120],
            )
        console.print(table)
    else:
        console.print("No source is failing.")
    return EXIT_OK


def _duration(started: str, finished: str | None) -> float | None:
    if not finished:
        return None
    return (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()


@cli.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show progress bars (default: when stderr is a terminal).",
)
@common_options
def backfill(
    archive: Path,
    progress: bool | None,
    data_dir: Path | None,
    scorer: str | None,
    verbose: bool,
) -> int:
    """Score an archive of dated articles (JSON lines or Parquet) into the database."""
    settings = _settings(data_dir, scorer)
    console = _stderr_console(progress)
    _setup_logging(verbose, console)
    show = console.is_terminal if progress is None else progress
    if show:
        with _progress_bar(console) as bar:
            result = run_backfill(archive, settings, _RichProgress(bar))
    else:
        result = run_backfill(archive, settings)
    for error in result.errors:
        click.echo(f"skipped: {error}", err=True)
    click.echo(
        f"read {result.items_read} articles ({len(result.errors)} unreadable): "
        f"new {result.items_new}, updated {result.items_updated}, scored {result.items_scored}"
    )
    for path in result.index_files:
        click.echo(f"wrote {path}")
    return EXIT_OK


@cli.command()
@click.option(
    "--days", default=14, show_default=True, type=click.IntRange(min=1), help="Days shown."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file (default: DATA/report/index.html).",
)
@common_options
def report(
    days: int, out: Path | None, data_dir: Path | None, scorer: str | None, verbose: bool
) -> int:
    """Write the HTML report and the index chart (PNG)."""
    settings = _settings(data_dir, scorer)
    _setup_logging(verbose, _stderr_console(None))
    _require_database(settings)
    with Store.open(settings.db_path) as store:
        paths = write_report(store, settings, model_version(settings), days, out)
    for path in paths:
        click.echo(f"wrote {path}")
    return EXIT_OK


@cli.command()
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day (UTC)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per figure.")
@common_options
def figures(
    start: Any,
    end: Any,
    top: int,
    as_json: bool,
    data_dir: Path | None,
    scorer: str | None,
    verbose: bool,
) -> int:
    """The most-mentioned figures and the mood around them."""
    settings = _settings(data_dir, scorer)
    _setup_logging(verbose, _stderr_console(None))
    _require_database(settings)
    first, last = _iso_day(start), _iso_day(end)
    with Store.open(settings.db_path) as store:
        ranking = figure_ranking(store, settings, model_version(settings), first, last).head(top)
    if as_json:
        for row in ranking.to_dict(orient="records"):
            click.echo(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
        return EXIT_OK
    span = f"{first or 'first day'} to {last or 'last day'}"
    if ranking.empty:
        click.echo(f"No figures in the index from {span}.")
        return EXIT_OK
    table = Table(title=f"Figures, {span} (stance: +1 FOMO, -1 fear of overspending)")
    for column in ("figure", "type", "mentions", "articles", "stance", "fomo", "overspend"):
        table.add_column(column, justify="left" if column in ("figure", "type") else "right")
    for row in ranking.itertuples(index=False):
        table.add_row(
            row.figure,
            row.type,
            str(row.mentions),
            str(row.articles),
            _number(row.stance_mean, "+.2f"),
            _number(row.fomo_share, ".0%"),
            _number(row.overspend_share, ".0%"),
        )
    Console().print(table)
    return EXIT_OK


def _number(value: float, spec: str) -> str:
    return "–" if value != value else format(value, spec)  # NaN: no scored sentence


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def _iso_day(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


def _require_database(settings: Settings) -> None:
    if not settings.db_path.exists():
        raise InputError(
            f"no database at {settings.db_path}. Fix: run `tracker daily` first, or pass the "
            "--data-dir it used."
        )


@cli.command()
@click.argument("source", required=False, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--lang",
    type=click.Choice(["auto", "de", "en"]),
    default="auto",
    show_default=True,
    help="The text's language.",
)
@click.option("--title", default="", help="A title to score with the text.")
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Score a JSON-lines file of {"id", "text"} objects.',
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --batch: write results here instead of standard output.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: when stderr is a terminal).",
)
@click.option("-n", "--top", default=3, show_default=True, help="Driving sentences to show.")
@common_options
def score(
    source: str | None,
    as_json: bool,
    lang: str,
    title: str,
    batch_file: Path | None,
    out_file: Path | None,
    progress: bool | None,
    top: int,
    data_dir: Path | None,
    scorer: str | None,
    verbose: bool,
) -> int:
    """Score one article (a FILE, a URL, or - for standard input), or a batch."""
    settings = _settings(data_dir, scorer)
    console = _stderr_console(progress)
    _setup_logging(verbose, console)
    if batch_file is not None:
        if source is not None:
            raise InputError("give either a SOURCE or --batch, not both.")
        return _score_batch(
            batch_file,
            out_file,
            settings,
            console,
            console.is_terminal if progress is None else progress,
        )
    if out_file is not None:
        raise InputError("--out only applies to --batch. Fix: redirect standard output instead.")
    page_title, body = _read_article(source or "-", settings)
    scored = score_texts(
        [(title or page_title, body, lang)],
        load_scorer(settings),
        FigureExtractor.from_models(settings.models_dir),
    )[0]
    if as_json:
        click.echo(json.dumps(_full_json(scored, top), ensure_ascii=False, indent=2))
    else:
        _print_article(scored, top)
    return EXIT_OK


def _read_article(source: str, settings: Settings) -> tuple[str, str]:
    """(title, text) from a file, a URL or standard input; HTML pages are reduced to their
    main text."""
    if source.startswith(("http://", "https://")):
        with HttpClient(settings.http_policy) as h:
            try:
                fetched = h.get(source, accept="text/html,application/xhtml+xml,*/*;q=0.8")
            except FetchError as exc:
                raise InputError(
                    f"{exc}. Fix: check the address, or save the page and pass the file."
                ) from None
        raw: bytes | str = fetched.body
        is_html = "html" in fetched.content_type or fetched.body.lstrip()[:1] == b"<"
    elif source == "-":
        raw = sys.stdin.read()
        is_html = raw.lstrip().startswith("<")
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file. Fix: give a file, a URL, or - for stdin.")
        raw = path.read_bytes()
        is_html = path.suffix.lower() in (".html", ".htm") or raw.lstrip()[:1] == b"<"
    if is_html:
        page_title, text = page_main_text(raw, url=source if "://" in source else None)
        if not text:
            raise InputError(f"{source}: no article text found in the page.")
        return page_title, text
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        raise InputError(f"{source}: the input is empty. Fix: give a text to score.")
    return "", text


def _figures_json(scored: ScoredText) -> list[dict[str, Any]]:
    return [{"name": f.name, "type": f.type, "mentions": f.mentions} for f in scored.figures]


def _full_json(scored: ScoredText, top: int) -> dict[str, Any]:
    s = scored.score
    return {
        "stance": round(s.stance, 4),
        "label": s.label,
        "relevance": round(s.relevance, 4),
        "confidence": round(s.confidence, 4),
        "lang": scored.document.lang,
        "probs": dict(
            zip(("fomo", "neutral", "overspend"), (round(p, 4) for p in s.probs), strict=True)
        ),
        "sentences": len(s.sentences),
        "drivers": [
            {
                "index": i,
                "text": sentence.text,
                "stance": round(sentence.stance, 4),
                "relevance": round(sentence.relevance, 4),
            }
            for i, sentence in s.drivers(top)
        ],
        "figures": _figures_json(scored),
        "model_version": s.model_version,
    }


def _print_article(scored: ScoredText, top: int) -> None:
    s = scored.score
    out = Console(width=120, highlight=False)
    out.print(f"stance      {s.stance:+.3f}   (+1 = FOMO, -1 = fear of overspending)")
    out.print(f"label       {s.label}")
    out.print(f"relevance   {s.relevance:.3f}   (is it about money in AI?)")
    out.print(f"confidence  {s.confidence:.3f}")
    out.print(f"language    {scored.document.lang}   sentences: {len(s.sentences)}")
    drivers = s.drivers(top)
    out.print("\nsentences that drove the score:" if drivers else "\nno sentence moved the score.")
    for _, sentence in drivers:
        text = sentence.text if len(sentence.text) <= 200 else sentence.text[:197] + "..."
        out.print(f"  {sentence.stance:+.2f}  relevance {sentence.relevance:.2f}  {text}")
    out.print("\nfigures:" if scored.figures else "\nfigures: none found")
    for figure in scored.figures:
        out.print(f"  {figure.name} ({figure.type}) x{figure.mentions}")
    out.print(f"\nmodel {s.model_version}")


def _score_batch(
    batch_file: Path,
    out_file: Path | None,
    settings: Settings,
    console: Console,
    show_progress: bool,
) -> int:
    try:
        lines = batch_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{batch_file}: cannot be read ({exc}). Fix: give a UTF-8 JSONL file."
        ) from None
    scorer = load_scorer(settings)
    extractor = FigureExtractor.from_models(settings.models_dir)
    handle: TextIO = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
    errors = 0
    try:
        bar = _progress_bar(console) if show_progress else None
        advance: Callable[[int], None] = lambda n: None  # noqa: E731
        if bar is not None:
            bar.start()
            task = bar.add_task("score", total=len(lines))
            advance = lambda n: bar.advance(task, n)  # noqa: E731
        for chunk_start in range(0, len(lines), _BATCH_CHUNK):
            chunk = lines[chunk_start : chunk_start + _BATCH_CHUNK]
            for record in _score_chunk(chunk, chunk_start + 1, batch_file, scorer, extractor):
                errors += "error" in record
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            advance(len(chunk))
        if bar is not None:
            bar.stop()
    finally:
        if out_file:
            handle.close()
    click.echo(
        f"scored {len(lines) - errors} of {len(lines)} lines"
        + (f"; {errors} errors (see their 'error' field)" if errors else "")
        + (f"; wrote {out_file}" if out_file else ""),
        err=True,
    )
    return EXIT_OK


def _score_chunk(
    lines: list[str], first_line: int, batch_file: Path, scorer: Any, extractor: FigureExtractor
) -> Iterator[dict[str, Any]]:
    parsed: list[dict[str, Any] | None] = []
    for number, line in enumerate(lines, start=first_line):
        parsed.append(_parse_batch_line(line, number, batch_file))
    valid = [p for p in parsed if p is not None and "error" not in p]
    results = iter(
        score_texts([(p["title"], p["text"], p["lang"]) for p in valid], scorer, extractor)
    )
    for record in parsed:
        if record is None:
            continue
        if "error" in record:
            yield record
            continue
        scored = next(results)
        s = scored.score
        yield {
            "id": record["id"],
            "stance": round(s.stance, 4),
            "label": s.label,
            "relevance": round(s.relevance, 4),
            "confidence": round(s.confidence, 4),
            "lang": scored.document.lang,
            "figures": _figures_json(scored),
        }


def _parse_batch_line(line: str, number: int, batch_file: Path) -> dict[str, Any] | None:
    """A valid input record, an error record naming the line, or None for a blank line."""
    if not line.strip():
        return None
    where = f"{batch_file}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"{where}: not valid JSON ({exc.msg})"}
    if not isinstance(record, dict):
        return {"id": None, "line": number, "error": f"{where}: expected a JSON object"}
    rid = record.get("id")
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return {"id": None, "line": number, "error": f"{where}: 'id' must be a string or number"}
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return {"id": rid, "line": number, "error": f"{where}: 'text' must be a non-empty string"}
    lang = record.get("lang", "auto")
    if lang not in ("de", "en", "auto"):
        return {"id": rid, "line": number, "error": f"{where}: 'lang' must be de, en or auto"}
    title = record.get("title", "")
    if not isinstance(title, str):
        return {"id": rid, "line": number, "error": f"{where}: 'title' must be a string"}
    return {"id": rid, "text": text, "lang": lang, "title": title}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (every error becomes one clean message)."""
    try:
        result = cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except TrackerError as exc:
        click.echo(f"tracker: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    return result if isinstance(result, int) else EXIT_OK


def run() -> None:
    sys.exit(main())
