from pathlib import Path

import pytest

from tracker.collect.transcripts import (
    collect_folder,
    date_from_filename,
    format_for,
    transcript_to_text,
)
from tracker.records import ItemKind, Source, SourceKind

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_vtt_voice_tags_become_speaker_turns() -> None:
    text = transcript_to_text(
        (FIXTURES / "transcripts" / "2026-03-03_boersenradio.vtt").read_bytes(), "vtt"
    )
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Moderatorin: Zahlen sich")
    assert paragraphs[1].startswith("Analyst: Ehrlich gesagt") and "Jahr 2000" in paragraphs[1]
    assert len(paragraphs) == 2  # consecutive cues of one speaker are one turn


def test_srt_speaker_prefix_and_nonstandard_timestamps() -> None:
    srt = (
        "1\n00:00:00,000 --> 00:00:02,000\nAnna: Das Geld dreht sich\nim Kreis.\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nwirklich.\n\n3\n3.5 --> 4.0\nBen: Nein.\n"
    )
    assert (
        transcript_to_text(srt, "srt")
        == "Anna: Das Geld dreht sich im Kreis. wirklich.\n\nBen: Nein."
    )


def test_json_segments_and_podlove() -> None:
    podcast_index = (
        '{"version": "1.0.0", "segments": [{"speaker": "A", "body": "Hi"}, '
        '{"speaker": "A", "body": "there"}, {"speaker": "B", "body": "Yo"}]}'
    )
    assert transcript_to_text(podcast_index, "json") == "A: Hi there\n\nB: Yo"
    podlove = '[{"speaker": "3", "voice": "Eric", "text": "Hallo."}]'
    assert transcript_to_text(podlove, "json") == "Eric: Hallo."


def test_formats_and_dates_from_names() -> None:
    assert format_for("x.srt") == "srt"
    assert format_for("feed-link", "application/x-subrip") == "srt"
    assert format_for("x.mp3") is None
    assert date_from_filename("2026-03-03_radio.vtt").day == 3
    assert date_from_filename("15.02.2021-tagesschau.srt").month == 2
    assert date_from_filename("notes.txt") is None


def test_folder_collection_marks_transcripts() -> None:
    source = Source("radio", SourceKind.TRANSCRIPTS, "de", path=FIXTURES / "transcripts")
    items, warnings = collect_folder(source)
    assert warnings == []
    (item,) = items
    assert item.kind is ItemKind.TRANSCRIPT
    assert item.published is not None and item.published.isoformat().startswith("2026-03-03")


@pytest.mark.realworld
def test_every_real_transcript_gives_text_with_speakers_where_given(realworld: Path) -> None:
    files = sorted((realworld / "transcripts").iterdir())
    assert len(files) >= 15
    for path in files:
        text = transcript_to_text(path.read_bytes(), format_for(path.name) or "txt")
        assert len(text.split()) >= 5, path.name
        assert "-->" not in text and "<v " not in text, path.name
    vtt = transcript_to_text(
        (realworld / "transcripts" / "buzzsprout-podcasting-qa__podcastindex.vtt").read_bytes(),
        "vtt",
    )
    assert vtt.startswith("Sarah: ") and "\n\nGillian: " in vtt and "Q&A" in vtt
    html = transcript_to_text(
        (realworld / "transcripts" / "buzzsprout-10things__podcastindex.html").read_bytes(), "html"
    )
    assert html.startswith("Travis: ")
