import pytest

from tracker.extract import content_hash, document_text, item_text, make_document
from tracker.extract.language import detect_language
from tracker.extract.sentences import MAX_WORDS, split_sentences
from tracker.extract.text import html_fragment_to_text
from tracker.records import CollectedItem, ItemKind


def test_html_fragments_keep_paragraphs_and_drop_scripts() -> None:
    html = "<p>Erster&nbsp;Absatz.</p><script>alert(1)</script><p>Zweiter <b>Absatz</b>.</p>"
    assert html_fragment_to_text(html) == "Erster Absatz.\n\nZweiter Absatz."
    assert html_fragment_to_text("AT&amp;T &amp; Co") == "AT&T & Co"


def test_title_repeated_in_body_is_dropped() -> None:
    item = CollectedItem(
        "s", ItemKind.ARTICLE, "id", None, "Titel", "<p>Titel</p><p>Text.</p>", True, None, "de"
    )
    assert item_text(item) == ("Titel", "Text.")


def test_german_abbreviations_do_not_end_sentences() -> None:
    text = "Nvidia meldete 3,5 Mrd. Euro Umsatz, d.h. 20 Prozent mehr. Ist das eine Blase? Nein!"
    assert [s.text for s in split_sentences(text, "de")] == [
        "Nvidia meldete 3,5 Mrd. Euro Umsatz, d.h. 20 Prozent mehr.",
        "Ist das eine Blase?",
        "Nein!",
    ]


def test_sentence_offsets_point_into_the_text_and_paragraphs_split() -> None:
    text = "KI-Boom ohne Ende\n\nDie Nachfrage wächst. Die Kurse auch."
    sentences = split_sentences(text, "de")
    assert [s.text for s in sentences] == [
        "KI-Boom ohne Ende",
        "Die Nachfrage wächst.",
        "Die Kurse auch.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_unpunctuated_transcripts_are_windowed_not_truncated() -> None:
    words = [f"wort{i}" for i in range(MAX_WORDS * 3)]
    sentences = split_sentences(" ".join(words), "de")
    assert len(sentences) > 1
    assert " ".join(s.text for s in sentences).split() == words


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("Die Investitionen in Rechenzentren steigen weiter kräftig an.", "en", "de"),
        ("Hyperscalers keep raising their spending on data centres.", "de", "en"),
        ("KI-Boom", "de", "de"),  # too short to trust a detection: the hint wins
        ("Le gouvernement a annoncé un nouveau plan pour les centres de données.", "auto", "fr"),
    ],
)
def test_language_detection_with_hint(text: str, hint: str, expected: str) -> None:
    assert detect_language(text, hint) == expected


def test_document_text_and_hash_are_stable() -> None:
    doc = make_document("Titel", "Satz eins. Satz zwei.", "de")
    assert (
        doc.text
        == document_text("Titel", "Satz eins. Satz zwei.")
        == "Titel\n\nSatz eins. Satz zwei."
    )
    assert len(doc.sentences) == 3
    assert content_hash(doc.text) == content_hash("Titel\n\nSatz eins. Satz zwei.")


def test_short_non_latin_text_does_not_take_the_declared_language() -> None:
    assert detect_language("разраб: деплоим. 20 пендингов", "de") == "ru"
    assert detect_language("Die KI-Blase?", "de") == "de"
