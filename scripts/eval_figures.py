"""Measure figure extraction on the project's labelled German and English figure set.

    python scripts/eval_figures.py            # dev and test tables
    python scripts/eval_figures.py --write    # also pin models/figures/metrics.json

`models/figures/data/figures_{de,en}.jsonl` (rules in `models/figures/LABELLING.md`): texts
with every person and organisation mention, its canonical name, type and whether the
figure is in the registry. Each item's split (dev or test, about half each) follows from a
hash of its id; choices about the German rules were made on dev, and test is reported.

A predicted mention is correct when its span overlaps a gold mention's, its type matches
and its name is the gold name (registry figures: the canonical name; other names: the
same name, or one containing the other for organisations, "Nordlicht Data" for "Nordlicht
Data AG"). Precision, recall and F1 are counted over mentions, separately for registry
figures and other names (a wrong prediction counts against the kind it claims to be).
Surname-only second mentions count like any other mention: they must carry the full name.
`tests/test_figures_quality.py` holds the pin.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.config import Settings
from tracker.extract import make_document
from tracker.figures import FigureExtractor
from tracker.records import FigureMention

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "models" / "figures" / "data"
KINDS = ("registry", "other")
# Capitalised German nouns of the domain that must never come out as figures.
COMMON_NOUNS = (
    "Milliarden",
    "Milliarde",
    "Millionen",
    "Blase",
    "Ausgaben",
    "Rechenzentren",
    "Rechenzentrum",
    "Rendite",
    "Anleger",
    "Investitionen",
    "Börse",
    "Notenbank",
    "Chipkonzerne",
    "Künstliche Intelligenz",
    "KI",
)


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    name: str
    type: str
    registry: bool


def split_of(item_id: str) -> str:
    return "dev" if hashlib.sha256(item_id.encode()).digest()[0] % 2 == 0 else "test"


def load(data: Path = DATA) -> list[dict[str, Any]]:
    items = []
    for lang in ("de", "en"):
        path = data / f"figures_{lang}.jsonl"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                item = json.loads(line)
                item["split"] = split_of(item["id"])
                item["where"] = f"{path.name}:{number}"
                items.append(item)
    return items


def gold_spans(text: str, item: dict[str, Any]) -> list[Gold]:
    """Locate each gold surface in turn, after the previous one."""
    spans, position = [], 0
    for mention in item["mentions"]:
        start = text.find(mention["surface"], position)
        if start < 0:
            raise ValueError(f"{item['where']}: {mention['surface']!r} not found in order")
        end = start + len(mention["surface"])
        spans.append(Gold(start, end, mention["name"], mention["type"], bool(mention["registry"])))
        position = end
    return spans


def same_name(predicted: FigureMention, gold: Gold) -> bool:
    if predicted.name == gold.name:
        return True
    if gold.registry or predicted.type != "ORG":
        return False
    a, b = predicted.name.casefold(), gold.name.casefold()
    return a in b or b in a


def match(
    predicted: list[FigureMention], gold: list[Gold]
) -> tuple[Counter[str], Counter[str], Counter[str], list[str]]:
    """True positives, false positives and false negatives by kind; and the errors."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors = []
    used: set[int] = set()
    for g in gold:
        kind = "registry" if g.registry else "other"
        hit = next(
            (
                i
                for i, p in enumerate(predicted)
                if i not in used
                and p.start < g.end
                and g.start < p.end
                and p.type == g.type
                and same_name(p, g)
            ),
            None,
        )
        if hit is None:
            fn[kind] += 1
            errors.append(f"missed {g.name} ({g.type})")
        else:
            used.add(hit)
            tp[kind] += 1
    for i, p in enumerate(predicted):
        if i not in used:
            fp["registry" if p.in_registry else "other"] += 1
            errors.append(f"wrong {p.name} ({p.type}, '{p.surface}')")
    return tp, fp, fn, errors


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def data_digest(data: Path = DATA) -> str:
    digest = hashlib.sha256()
    for lang in ("de", "en"):
        digest.update((data / f"figures_{lang}.jsonl").read_bytes())
    return digest.hexdigest()[:12]


def measure(
    extractor: FigureExtractor, items: list[dict[str, Any]], verbose: bool = False
) -> dict[str, Any]:
    docs = [make_document("", item["text"], item["lang"]) for item in items]
    predictions = extractor.extract(docs)
    counts: dict[tuple[str, str, str], Counter[str]] = {}
    nouns: list[str] = []
    for item, doc, predicted in zip(items, docs, predictions, strict=True):
        tp, fp, fn, errors = match(predicted, gold_spans(doc.text, item))
        for kind in KINDS:
            key = (item["split"], item["lang"], kind)
            total = counts.setdefault(key, Counter())
            total.update({"tp": tp[kind], "fp": fp[kind], "fn": fn[kind]})
        nouns += [p.surface for p in predicted if p.surface in COMMON_NOUNS]
        if verbose and errors:
            print(f"{item['where']} [{item['split']}]: {'; '.join(errors)}")
    result: dict[str, Any] = {"extractor": extractor.version, "common_nouns_as_figures": nouns}
    for (split, lang, kind), c in sorted(counts.items()):
        scores = prf(c["tp"], c["fp"], c["fn"])
        support = c["tp"] + c["fn"]
        result.setdefault(split, {}).setdefault(lang, {})[kind] = {**scores, "support": support}
    return result


def table(metrics: dict[str, Any]) -> str:
    lines = [
        "| split | lang | kind | precision | recall | F1 | gold mentions |",
        "|---|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        for lang in ("de", "en"):
            for kind in KINDS:
                m = metrics.get(split, {}).get(lang, {}).get(kind)
                if m:
                    lines.append(
                        f"| {split} | {lang} | {kind} | {m['precision']:.3f} | "
                        f"{m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
                    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--write", action="store_true", help="pin models/figures/metrics.json")
    parser.add_argument("--errors", action="store_true", help="print each item's errors")
    parser.add_argument(
        "--no-given-names",
        action="store_true",
        help="German: role words and legal forms only (the option compared on dev)",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    extractor = FigureExtractor.from_models(settings.models_dir, not args.no_given_names)
    metrics = {"data": data_digest(args.data), **measure(extractor, load(args.data), args.errors)}
    print(table(metrics))
    print(f"\ncommon German nouns found as figures: {metrics['common_nouns_as_figures'] or 'none'}")
    if args.write:
        path = settings.models_dir / "figures" / "metrics.json"
        path.write_text(json.dumps(metrics, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {path}")
    return metrics


if __name__ == "__main__":
    main()
