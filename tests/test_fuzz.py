"""Fuzzing feed and transcript parsing (hypothesis, bounded number of examples): whatever
the bytes, the parsers return a result or raise the documented error, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.collect.feeds import parse_feed, transcript_links
from tracker.collect.transcripts import transcript_to_text
from tracker.errors import FetchError
from tracker.records import Source, SourceKind

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCE = Source("fuzz", SourceKind.PODCAST, "auto", url="https://fuzz.example/feed")

# Pieces of real feeds, shuffled and cut: closer to what breaks parsers than noise.
PIECES = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="iso-8859-1"?>',
    '<rss version="2.0">',
    "</rss>",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    "</feed>",
    "<entry>",
    "</entry>",
    "<title>",
    "</title>",
    "<link>https://x.example/a?utm_source=rss#ref=rss</link>",
    '<link href="https://x.example/b"/>',
    "<description>",
    "</description>",
    "<pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate>",
    "<pubDate>never</pubDate>",
    "<guid>g1</guid>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&lt;p&gt;",
    "&bogus;",
    "&#0;",
    '<!DOCTYPE rss [<!ENTITY e "x">]>',
    "&e;",
    '<podcast:transcript url="https://x.example/t.vtt" type="text/vtt"/>',
    '<podcast:transcript url="file:///etc/passwd" type="text/plain"/>',
    ' xmlns:podcast="https://podcastindex.org/namespace/1.0"',
    "KI-Blase",
    "Nvidia",
    "\x00",
    "\ufeff",
    "ä",
    "<",
    ">",
    '"',
]
feedish = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=40).map(
    lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass")
)


@FUZZ
@given(st.one_of(feedish, st.binary(max_size=3000)))
def test_feed_parsing_never_raises_anything_else(body: bytes) -> None:
    try:
        parsed = parse_feed(SOURCE, body)
    except FetchError as exc:
        assert "fuzz" in str(exc)
        return
    for item in parsed.items:
        assert isinstance(item.title, str) and isinstance(item.body, str) and item.item_id
        assert all(t.url.startswith(("http://", "https://")) for t in item.transcripts)
    assert isinstance(transcript_links(body), dict)


CUES = [
    "WEBVTT\n\n",
    "00:00:01.000 --> 00:00:02.000\n",
    "00:00:xx --> banana\n",
    "<v Anna>",
    "</v>",
    "1\n",
    "00:00:01,000 --> 00:00:02,000\n",
    "Speaker 1: ",
    "\n\n",
    "NOTE x\n",
    '{"segments": [',
    '{"speaker": "A", "body": "Hallo"}',
    "]}",
    '{"startTime": "x"}',
    "<cite>Anna:</cite>",
    "<time>0:01</time>",
    "<p>KI</p>",
    "\x00",
    "-->",
]
cueish = st.lists(st.one_of(st.sampled_from(CUES), st.text(max_size=15)), max_size=40).map("".join)


@FUZZ
@given(
    st.one_of(cueish, st.text(max_size=500)), st.sampled_from(["vtt", "srt", "json", "html", "txt"])
)
def test_transcript_parsing_gives_text_or_a_clear_error(data: str, fmt: str) -> None:
    try:
        text = transcript_to_text(data.encode("utf-8", errors="surrogatepass"), fmt)
    except FetchError as exc:  # the documented error: "transcript JSON is not valid …"
        assert str(exc).startswith("transcript")
        return
    assert isinstance(text, str)
