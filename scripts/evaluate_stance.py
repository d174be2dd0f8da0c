"""Measure the shipped stance model and the two baselines on the dev and test splits.

    python scripts/evaluate_stance.py           # print the tables
    python scripts/evaluate_stance.py --write   # also pin models/stance/metrics.json and
                                                # refresh the tables in MODEL_CARD.md

Every number comes from the production scoring path (`tracker.score.evaluate`). The
baselines: the keyword lexicon (`--scorer lexicon`) and a zero-shot scorer that compares
the plain encoder's embeddings with prototype statements (`models/stance/prototypes.yaml`).
`tests/test_stance_quality.py` fails when the model's test macro-F1 falls more than 0.02
below the pinned `metrics.json`.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from tracker.config import Settings
from tracker.records import LABELS
from tracker.score import Scorer, load_scorer
from tracker.score.encoder import Encoder
from tracker.score.evaluate import (
    LANGS,
    PROBE_FILE,
    PrototypeScorer,
    labelled_files,
    load_labelled,
    predict,
    relevance_metrics,
    stance_metrics,
)

ROOT = Path(__file__).resolve().parent.parent
STANCE = ROOT / "models" / "stance"
SPLITS = ("dev", "test")
PROBE = "probe"  # written after training (data/probe.jsonl): reported, never chosen on


def data_digest(data: Path) -> str:
    digest = hashlib.sha256()
    for path in labelled_files(data):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def measure(settings: Settings, data: Path, splits: tuple[str, ...] = SPLITS) -> dict[str, Any]:
    model = load_scorer(settings)
    lexicon = load_scorer(dataclasses.replace(settings, scorer="lexicon"))
    plain = Encoder.load(settings.encoder, settings.cache_dir)
    zero_shot = PrototypeScorer(plain, settings.models_dir / "stance" / "prototypes.yaml")
    scorers: dict[str, Scorer] = {"model": model, "lexicon": lexicon, "zero_shot": zero_shot}
    result: dict[str, Any] = {"model_version": model.model_version, "data": data_digest(data)}
    for split in splits:
        items = load_labelled(data, split)
        result[split] = {}
        for name, scorer in scorers.items():
            predictions = predict(scorer, items)
            metrics = stance_metrics(items, predictions)
            if name != "zero_shot":  # it has no relevance model
                metrics["relevance"] = relevance_metrics(items, predictions, settings.min_relevance)
            result[split][name] = metrics
    return result


def table(metrics: dict[str, Any]) -> str:
    """The model card's tables, as Markdown."""
    lines = [
        f"Model `{metrics['model_version']}`, data `{metrics['data']}`.",
        "",
        "### Macro-F1 (stance) by split and language",
        "",
        "| scorer | split | all | de | en | relevance F1 | ECE |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("model", "lexicon", "zero_shot"):
        for split in measured(metrics):
            m = metrics[split][name]
            relevance = m.get("relevance", {}).get("f1")
            lines.append(
                f"| {name} | {split} | {m['all']['macro_f1']:.3f} | {m['de']['macro_f1']:.3f} "
                f"| {m['en']['macro_f1']:.3f} | "
                f"{'–' if relevance is None else f'{relevance:.3f}'} | {m['all']['ece']:.3f} |"
            )
    test = metrics["test"]["model"]
    lines += per_label_table("Test split, per language and label", test)
    for lang in ("all", *LANGS):
        lines += [
            "",
            f"### Test confusion matrix ({lang}; rows truth, columns prediction)",
            "",
            "| | " + " | ".join(LABELS) + " |",
            "|---|---|---|---|",
        ]
        for label, row in zip(LABELS, test[lang]["confusion"], strict=True):
            lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    lines += case_table("Test accuracy by case (model)", test)
    if PROBE in metrics:
        probe = metrics[PROBE]["model"]
        lines += per_label_table("Probe set, per language and label (model)", probe)
        lines += case_table("Probe set, accuracy by case (model)", probe)
    return "\n".join(lines)


def per_label_table(title: str, m: dict[str, Any]) -> list[str]:
    lines = ["", f"### {title}", "", "| lang | label | precision | recall | F1 | support |"]
    lines.append("|---|---|---|---|---|---|")
    for lang in LANGS:
        for label in LABELS:
            row = m[lang]["per_label"][label]
            lines.append(
                f"| {lang} | {label} | {row['precision']:.3f} | {row['recall']:.3f} "
                f"| {row['f1']:.3f} | {row['support']} |"
            )
    return lines


def case_table(title: str, m: dict[str, Any]) -> list[str]:
    lines = ["", f"### {title}", "", "| case | n | accuracy |", "|---|---|---|"]
    for case, row in m["accuracy_by_case"].items():
        lines.append(f"| {case} | {row['n']} | {row['accuracy']:.3f} |")
    return lines


def measured(metrics: dict[str, Any]) -> list[str]:
    return [split for split in (*SPLITS, PROBE) if split in metrics]


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """Macro-F1 overall and per language for every scorer and measured split."""
    return {
        split: {
            name: {part: m[part]["macro_f1"] for part in ("all", *LANGS)}
            for name, m in metrics[split].items()
        }
        for split in measured(metrics)
    }


def write(metrics: dict[str, Any], folder: Path) -> None:
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    card = folder / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    block = f"<!-- metrics:start -->\n{table(metrics)}\n<!-- metrics:end -->"
    text, found = re.subn(
        r"<!-- metrics:start -->.*?<!-- metrics:end -->", lambda _: block, text, flags=re.S
    )
    if not found:
        raise SystemExit(f"{card}: no <!-- metrics:start --> … <!-- metrics:end --> block")
    card.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=STANCE / "data")
    parser.add_argument("--write", action="store_true", help="pin metrics.json, refresh card")
    parser.add_argument(
        "--splits",
        nargs="+",
        choices=(*SPLITS, PROBE),
        help="dev alone while choosing a recipe: the test split is for the final report "
        "(default: dev, test and, where data/probe.jsonl exists, the probe set)",
    )
    args = parser.parse_args(argv)
    if args.write and args.splits:
        raise SystemExit("--write pins every split; leave out --splits")
    everything = [*SPLITS, PROBE] if (args.data / PROBE_FILE).exists() else list(SPLITS)
    splits = tuple(args.splits or everything)
    # The pinned numbers are the model's own, in f32 on any machine; scripts/bench_score.py
    # shows how far the faster precisions (bf16, int8) stay from them.
    settings = dataclasses.replace(Settings(), precision="f32")
    metrics = measure(settings, args.data, splits)
    print(table(metrics) if set(SPLITS) <= set(splits) else json.dumps(summary(metrics)))
    if args.write:
        write(metrics, settings.models_dir / "stance")
        print(f"\nwrote {settings.models_dir / 'stance' / 'metrics.json'} and MODEL_CARD.md")
    return metrics


if __name__ == "__main__":
    main()
