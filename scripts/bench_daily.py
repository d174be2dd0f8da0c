"""A full `tracker daily` over a local HTTP server: first run, rerun on unchanged feeds, memory.

    python scripts/bench_daily.py                    # 20 feeds × 50 articles = 1,000
    python scripts/bench_daily.py --feeds 4 --items 5 --keep /tmp/bench-data

The script builds German and English RSS feeds and their article pages with a fixed seed
from the labelled data (`models/stance/data/`: several paragraphs of labelled sentences per
article, so relevance and stance vary as in real news), serves them from a threaded local
server that answers conditional GETs (ETag / If-None-Match and Last-Modified /
If-Modified-Since → 304), and runs the real CLI twice in a fresh data directory:

1. **first run**: every feed and article page is fetched, extracted, scored, its figures
   extracted, and the index, breakdowns and report written;
2. **rerun** on the unchanged feeds: every feed answers 304, so nothing is fetched,
   extracted or scored again; only the index is rebuilt.

Prints the wall time of each run (the whole process: start-up, imports and model load
included), their ratio, the requests the server answered, and the peak resident memory of
each run. `--host-delay 0` is passed because every request goes to one local host; on
real feeds the polite per-host pause dominates the first run instead. The encoder cache
is warmed first (the one-off unpacking of the model is not part of a daily run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from machine import describe  # scripts/, beside this file

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "models" / "stance" / "data"
TRACKER = [sys.executable, "-m", "tracker"]
RERUN_TARGET = 0.05
RSS_LIMIT_GB = 2.5


class Site:
    """The served files by path, with fixed validators, and a count of answers by status."""

    def __init__(self, files: dict[str, tuple[str, bytes]]) -> None:
        self.files = files  # path → (content type, body)
        self.modified = format_datetime(datetime(2026, 12, 1, tzinfo=UTC), usegmt=True)
        self.answers: Counter[int] = Counter()
        self.lock = threading.Lock()

    def count(self, status: int) -> None:
        with self.lock:
            self.answers[status] += 1


def handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = site.files.get(self.path)
            if found is None:
                site.count(404)
                self.send_error(404)
                return
            kind, body = found
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            fresh = self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers
                and self.headers.get("If-Modified-Since") == site.modified
            )
            status = 304 if fresh else 200
            site.count(status)
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", site.modified)
            if fresh:
                self.end_headers()
                return
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the counts are reported at the end

    return Handler


def build_site(feeds: int, items: int, base: str, seed: int = 13) -> tuple[Site, list[dict]]:
    """`feeds` feeds (half German, half English) of `items` articles each."""
    rows = []
    for name in ("stance.jsonl", "relevance.jsonl"):
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        rows += [json.loads(line) for line in lines if line.strip()]
    by_lang = {lang: [r["text"] for r in rows if r["lang"] == lang] for lang in ("de", "en")}
    rng = random.Random(seed)
    now = datetime(2026, 12, 1, 6, tzinfo=UTC)
    files: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")
    }
    sources = []
    for f in range(feeds):
        lang = ("de", "en")[f % 2]
        name = f"bench-{lang}-{f:02d}"
        entries = []
        for i in range(items):
            paragraphs = [
                " ".join(rng.sample(by_lang[lang], rng.randint(2, 4)))
                for _ in range(rng.randint(3, 8))
            ]
            title = paragraphs[0].split(". ")[0][:90]
            path = f"/articles/{name}/{i:04d}.html"
            page = (
                f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                f"<title>{escape(title)}</title></head><body><nav>Home · Markets · Tech</nav>"
                f"<article><h1>{escape(title)}</h1>"
                + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
                + "</article><footer>© Bench Media</footer></body></html>"
            )
            files[path] = ("text/html; charset=utf-8", page.encode("utf-8"))
            published = now - timedelta(hours=rng.randint(0, 24 * 14))
            entries.append(
                f"<item><title>{escape(title)}</title><link>{base}{path}</link>"
                f"<guid>{base}{path}</guid>"
                f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
                f"<description>{escape(paragraphs[0][:200])}</description></item>"
            )
        feed = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title><link>{base}/</link><language>{lang}</language>"
            + "".join(entries)
            + "</channel></rss>"
        )
        files[f"/feeds/{name}.xml"] = ("application/rss+xml", feed.encode("utf-8"))
        sources.append(
            {"name": name, "kind": "news", "language": lang, "url": f"{base}/feeds/{name}.xml"}
        )
    return Site(files), sources


def run_daily(
    feeds_file: Path, data_dir: Path, env: dict[str, str], profile: Path | None = None
) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, the CLI's output) of one `tracker daily` process;
    with `profile`, the process runs under cProfile and writes its statistics there."""
    tracker = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "tracker"]
    command = [
        *(tracker if profile else TRACKER),
        "daily",
        "--feeds",
        str(feeds_file),
        "--data-dir",
        str(data_dir),
    ]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "--host-delay", "0", "--no-progress"], env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read().strip(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"tracker daily failed ({process.returncode}):\n{errors[-3000:]}")
    return seconds, usage.ru_maxrss / 1024**2, output  # ru_maxrss is in kB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=50, help="articles per feed")
    parser.add_argument("--keep", type=Path, help="use this data directory and keep it")
    parser.add_argument("--profile-rerun", type=Path, help="write the rerun's cProfile here")
    args = parser.parse_args(argv)

    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site, sources = build_site(args.feeds, args.items, base)
    server.RequestHandlerClass = handler(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    work = Path(tempfile.mkdtemp(prefix="bench-daily-"))
    data_dir = args.keep or work / "data"
    feeds_file = work / "feeds.yaml"
    feeds_file.write_text(json.dumps({"sources": sources}, indent=1), encoding="utf-8")
    env = {**os.environ, "TRACKER_ALLOW_PRIVATE": "1", "TRACKER_FULL_TEXT": "1"}
    # Warm the encoder cache: unpacking the model is a one-off, not part of a daily run.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from tracker.score import load_scorer; "
            "from tracker.config import Settings; load_scorer(Settings())",
        ],
        env=env,
        check=True,
    )
    articles = args.feeds * args.items
    print(f"machine: {describe()}")
    print(f"site: {args.feeds} feeds × {args.items} articles = {articles} articles at {base}")

    first, first_gb, first_out = run_daily(feeds_file, data_dir, env)
    first_answers = dict(site.answers)
    site.answers.clear()
    print(
        f"\nfirst run: {first:.1f} s, {articles / first:.1f} articles/s, "
        f"server answers {first_answers}\n  {first_out.splitlines()[-1] if first_out else ''}"
    )
    rerun, rerun_gb, rerun_out = run_daily(feeds_file, data_dir, env, args.profile_rerun)
    print(
        f"rerun:     {rerun:.1f} s, server answers {dict(site.answers)}"
        f"\n  {rerun_out.splitlines()[-1] if rerun_out else ''}"
    )
    server.shutdown()

    ratio = rerun / first
    peak_gb = max(first_gb, rerun_gb)
    ok = ratio <= RERUN_TARGET and peak_gb < RSS_LIMIT_GB
    print(
        f"\nrerun / first run: {ratio:.1%} (target ≤ {RERUN_TARGET:.0%}); "
        f"peak RSS {first_gb:.2f} GB first run, {rerun_gb:.2f} GB rerun "
        f"(limit {RSS_LIMIT_GB} GB): {'PASS' if ok else 'FAIL'}"
    )
    print(f"data directory: {data_dir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
