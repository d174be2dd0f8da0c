"""Hostile and broken input: a local server serves each case as one source of a run;
each is refused or handled in bounded time with an error that names it, and the other
sources' items are stored."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from pathlib import Path

from tracker.pipeline import run_daily
from tracker.records import Source, SourceKind

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = (FIXTURES / "feeds" / "capex-en.atom").read_bytes()
RSS = (
    '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>T</title>'
    "{items}</channel></rss>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>t</title><item><title>Leak &xxe;</title>'
    b"<link>https://x.example/1</link><description>AI capex &xxe;</description></item>"
    b"</channel></rss>"
)
LAUGHS = "".join(
    f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
).encode()
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">' + LAUGHS + b"]>"
    b'<rss version="2.0"><channel><title>t</title><item><title>&l9;</title>'
    b"<link>https://x.example/2</link></item></channel></rss>"
)


def item(title: str, date: str) -> str:
    return (
        f"<item><title>{title}</title><link>https://x.example/{abs(hash(title))}</link>"
        f"<pubDate>{date}</pubDate><description>{title}: KI-Investitionen und Rechenzentren."
        "</description></item>"
    )


def test_each_hostile_case_is_bounded_named_and_isolated(tmp_path: Path, serve, settings) -> None:
    server = serve(FIXTURES / "feeds")
    latin1 = RSS.format(
        enc="utf-8", items=item("Börsenwert: Übertreibung", "Mon, 02 Mar 2026 08:00:00 GMT")
    )
    dates = RSS.format(
        enc="utf-8",
        items=item("Zukunft", "Fri, 01 Jan 2100 00:00:00 GMT")
        + item("Unsinn", "the 45th of Smarch")
        + item("Leer", ""),
    )
    cases = {
        "html": (200, {"Content-Type": "text/html"}, b"<html><body><p>Moved</p></body></html>"),
        "truncated": (200, {}, GOOD[: len(GOOD) * 2 // 3]),
        "wrong-encoding": (200, {}, latin1.encode("latin-1")),
        "xxe": (200, {}, XXE),
        "entity-bomb": (200, {}, BOMB),
        "oversized": (200, {}, b"<rss>" + b" " * 300_000 + b"</rss>"),
        "trickle": (200, {"X-Trickle": "0.2"}, GOOD[:400]),
        "hang": (200, {"X-Hang": "8"}, GOOD),
        "dates": (200, {}, dates.encode()),
        "empty": (200, {}, b""),
        "binary": (200, {}, bytes(range(256)) * 40),
        "server-error": (500, {}, b"oops"),
    }
    for name, answer in cases.items():
        server.routes[f"{name}.xml"] = [answer]
    server.routes["loop.xml"] = [(302, {"Location": "/loop.xml"}, b"")]
    broken = tmp_path / "broken-transcripts"
    broken.mkdir()
    (broken / "2026-03-02_show.vtt").write_text(
        "WEBVTT\n\n00:00:xx --> banana\n<v Anna>KI-Ausgaben steigen weiter.\n\n"
        "99:99:99.999 --> 00:00:01.000\n<v Ben>Die Rendite fehlt.\n",
        encoding="utf-8",
    )
    (broken / "2026-03-03_show.srt").write_bytes(b"1\n00:00:01,000 --> \n\x00\xff\xfe garbage\n")
    (broken / "2026-03-04_show.json").write_text('{"segments": [{"body": 5}], "x":', "utf-8")
    sources = [
        Source(name, SourceKind.NEWS, "auto", url=server.url(f"{name}.xml"))
        for name in [*cases, "loop"]
    ]
    sources += [
        Source("good", SourceKind.NEWS, "en", url=server.url("capex-en.atom")),
        Source("broken-transcripts", SourceKind.TRANSCRIPTS, "de", path=broken),
    ]
    strict = dataclasses.replace(
        settings,
        timeout_s=2.0,
        total_timeout_s=3.0,
        max_response_bytes=200_000,
        retries=0,
        scorer="lexicon",
        full_text=False,
    )
    started = time.monotonic()
    result = run_daily(sources, strict, "hostile.yaml")
    assert time.monotonic() - started < 60  # bounded: nobody waits for the hanging server
    reports = {r.source: r for r in result.reports}

    failed = {name for name, r in reports.items() if r.status == "failed"}
    assert failed == {
        "html",
        "oversized",
        "trickle",
        "hang",
        "empty",
        "binary",
        "server-error",
        "loop",
    }
    for name in failed:  # each error names what was fetched
        assert f"{name}.xml" in (reports[name].error or ""), reports[name].error
    assert "is not a readable RSS/Atom feed" in (reports["html"].error or "")
    assert "larger than 200,000 bytes" in (reports["oversized"].error or "")
    assert "longer than 3 s" in (reports["trickle"].error or "")
    assert "timed out" in (reports["hang"].error or "")
    assert "redirects" in (reports["loop"].error or "")
    assert "HTTP 500" in (reports["server-error"].error or "")

    # Recoverable ones keep what can be read, with a warning naming them.
    assert reports["truncated"].items_new >= 1
    assert any("truncated" in w for w in reports["truncated"].warnings)
    assert any("entity-bomb" in w for w in reports["entity-bomb"].warnings)
    assert reports["good"].status == "ok" and reports["good"].items_seen >= 3
    assert reports["broken-transcripts"].status == "ok"
    with sqlite3.connect(strict.db_path) as con:
        texts = " ".join(t for (t,) in con.execute("SELECT title || ' ' || text FROM items"))
        titles = dict(con.execute("SELECT title, published FROM items"))
    assert "root:" not in texts  # the external entity was never read
    assert "Börsenwert: Übertreibung" in titles  # a wrong declaration, read anyway
    assert titles["Zukunft"] is None and titles["Unsinn"] is None  # untrusted dates dropped
    assert "KI-Ausgaben steigen weiter" in texts  # the readable cue of the broken VTT
    assert result.status == "partial"
