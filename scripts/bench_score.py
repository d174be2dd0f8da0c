"""Scoring throughput: the project's scorer against a naive transformers baseline, in one run.

    python scripts/bench_score.py                      # default workload, every precision
    python scripts/bench_score.py --texts 200 --articles 10 --precisions auto

Both score the same texts: a mixed German / English workload the script builds with a fixed
seed from the labelled data (`models/stance/data/`): single sentences and paragraphs, and
long articles of several paragraphs (most beyond the encoder's 512 tokens). Each text is
embedded whole and goes through the same trained heads.

- **naive**: the same encoder (with the LoRA adapter merged) and heads through plain
  transformers: f32, batches of 8 in input order, each padded to the batch's longest text,
  truncated at 512 tokens (the tail of a long article is never read).
- **project**: `tracker.score.load_scorer`, what `tracker daily` runs: texts sorted by length
  into token-budget batches, inference mode, threads set to the usable cores, and the
  precision asked for (`auto` is the default: bf16 where the CPU has it, else f32). Long
  texts are read whole, in 512-token windows, so it does more work than the baseline.

Prints sentences per second for each (sentences counted once by the project's segmenter),
the ratio to the baseline, and each scorer's macro-F1 on the test split through the
production path (`tracker.score.evaluate`). A precision is fit for use only if its test
macro-F1 stays within 0.01 of the baseline's (the same model in f32).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from machine import describe  # scripts/, beside this file
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from tracker.config import Settings
from tracker.extract.sentences import split_sentences
from tracker.score import E5Scorer, Scorer, load_scorer
from tracker.score.encoder import merge_adapter, model_source
from tracker.score.evaluate import load_labelled, predict, stance_metrics
from tracker.score.head import StanceHead
from tracker.score.runtime import resolve_precision

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "models" / "stance" / "data"
F1_TOLERANCE = 0.01
SPEEDUP_TARGET = 4.0


class NaiveEncoder:
    """The baseline encoder: plain transformers, f32, fixed batches in input order."""

    def __init__(self, settings: Settings, head: StanceHead, batch_size: int = 8) -> None:
        hf_logging.disable_progress_bar()
        source = model_source(settings.encoder, settings.cache_dir)
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModel.from_pretrained(source, add_pooling_layer=False)
        if head.adapter is not None:
            model = merge_adapter(model, head.adapter)
        self.model = model.eval()
        self.batch_size = batch_size
        self.name = "naive-f32-b8"

    def embed(
        self,
        texts: Sequence[str],
        prefix: str = "query: ",
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        vectors = []
        for start in range(0, len(texts), self.batch_size):
            batch = [prefix + t for t in texts[start : start + self.batch_size]]
            encoded = self.tokenizer(
                batch, padding=True, truncation=True, max_length=512, return_tensors="pt"
            )
            with torch.no_grad():
                hidden = self.model(**encoded).last_hidden_state
            mask = encoded["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
            vectors.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
            if on_batch is not None:
                on_batch(len(batch))
        return np.vstack(vectors)


def workload(data: Path, texts: int, articles: int, seed: int = 13) -> list[tuple[str, str]]:
    """(text, lang) pairs: `texts` single items and `articles` long ones, shuffled."""
    rows = []
    for name in ("stance.jsonl", "relevance.jsonl"):
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        rows += [json.loads(line) for line in lines if line.strip()]
    rng = random.Random(seed)
    chosen = [(r["text"], r["lang"]) for r in rng.sample(rows, min(texts, len(rows)))]
    by_lang = {lang: [r["text"] for r in rows if r["lang"] == lang] for lang in ("de", "en")}
    for n in range(articles):
        lang = ("de", "en")[n % 2]
        paragraphs = [
            " ".join(rng.sample(by_lang[lang], rng.randint(2, 5))) for _ in range(rng.randint(4, 9))
        ]
        chosen.append(("\n\n".join(paragraphs), lang))
    rng.shuffle(chosen)
    return chosen


def throughput(scorer: Scorer, texts: Sequence[str], sentences: int) -> tuple[float, float]:
    scorer.score_sentences(list(texts[:16]))  # warm-up: first-call allocations, kernels
    started = time.perf_counter()
    scorer.score_sentences(list(texts))
    seconds = time.perf_counter() - started
    return seconds, sentences / seconds


def test_f1(scorer: Scorer, data: Path) -> dict[str, float]:
    items = load_labelled(data, "test")
    metrics = stance_metrics(items, predict(scorer, items))
    return {lang: metrics[lang]["macro_f1"] for lang in ("all", "de", "en")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--texts", type=int, default=1500, help="single sentences/paragraphs")
    parser.add_argument("--articles", type=int, default=120, help="long multi-paragraph texts")
    parser.add_argument(
        "--precisions",
        nargs="+",
        default=["auto", "f32", "bf16", "int8"],
        help="project scorer precisions to measure; the first is the one the verdict is on",
    )
    parser.add_argument("--no-f1", action="store_true", help="skip the test-split macro-F1")
    args = parser.parse_args(argv)

    settings = Settings()
    pairs = workload(args.data, args.texts, args.articles)
    texts = [text for text, _ in pairs]
    sentences = sum(len(split_sentences(text, lang)) for text, lang in pairs)
    german = sum(lang == "de" for _, lang in pairs) / len(pairs)
    print(f"machine: {describe()}, torch threads {torch.get_num_threads()} for the baseline")
    print(
        f"workload: {len(texts)} texts ({args.texts} sentences/paragraphs, {args.articles} "
        f"articles), {sentences} sentences, {german:.0%} German, "
        f"{sum(len(t) for t in texts) / 1e6:.2f} M characters"
    )

    head = StanceHead.load(settings.models_dir / "stance")
    rows: list[tuple[str, float, float, dict[str, float] | None]] = []
    naive = E5Scorer(NaiveEncoder(settings, head), head)
    seconds, rate = throughput(naive, texts, sentences)
    rows.append(
        (
            naive.model_version.split("+")[0],
            seconds,
            rate,
            None if args.no_f1 else test_f1(naive, args.data),
        )
    )
    del naive
    seen = set()
    for precision in args.precisions:
        resolved = resolve_precision(precision)
        if resolved in seen:
            continue
        seen.add(resolved)
        scorer = load_scorer(dataclasses.replace(settings, precision=precision))
        label = f"project {resolved}" + (" (auto)" if precision == "auto" else "")
        seconds, rate = throughput(scorer, texts, sentences)
        rows.append((label, seconds, rate, None if args.no_f1 else test_f1(scorer, args.data)))
        del scorer

    base_rate, base_f1 = rows[0][2], rows[0][3]
    print(
        f"\n{'scorer':<24} {'seconds':>8} {'sent/s':>8} {'ratio':>6}  test macro-F1 all / de / en"
    )
    for label, seconds, rate, f1 in rows:
        scores = " / ".join(f"{f1[k]:.3f}" for k in ("all", "de", "en")) if f1 else "–"
        print(f"{label:<24} {seconds:8.1f} {rate:8.1f} {rate / base_rate:5.2f}x  {scores}")

    verdict = rows[1]
    ok = verdict[2] / base_rate >= SPEEDUP_TARGET
    line = (
        f"\n{verdict[0]}: {verdict[2] / base_rate:.2f}x the baseline (target {SPEEDUP_TARGET:.0f}x)"
    )
    if base_f1 and verdict[3]:
        drop = max(base_f1[k] - verdict[3][k] for k in ("all", "de", "en"))
        ok = ok and drop <= F1_TOLERANCE
        line += f", largest macro-F1 drop {drop:+.3f} (allowed {F1_TOLERANCE})"
        for label, _, _, f1 in rows[2:]:
            if f1:
                worst = max(base_f1[k] - f1[k] for k in ("all", "de", "en"))
                fit = "fit" if worst <= F1_TOLERANCE else "NOT fit"
                print(f"{label}: largest macro-F1 drop {worst:+.3f}: {fit} for use")
    print(line + (": PASS" if ok else ": FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
