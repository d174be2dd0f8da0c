"""Assign a train / dev / test split to labelled items that have none yet.

Splits are assigned once and stored in each row (`"split"`), stratified by language and label
(relevance: language and topic), with a fixed seed. Items that already have a split keep it,
so adding data never moves an old item between splits, and the test split is never tuned on.

A new stance row may carry a `"translation"` into the other language. Once the row has its
split, the translation of a train row moves to `stance_translated.jsonl` (training data
only); translations of dev and test rows are dropped, since they would leak those items
into training.

    python scripts/split_data.py            # models/stance/data/{stance,relevance}.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

SEED = 13
SHARES = (("train", 0.70), ("dev", 0.15), ("test", 0.15))
DATA = Path(__file__).resolve().parent.parent / "models" / "stance" / "data"


def assign(rows: list[dict], strata_keys: tuple[str, ...]) -> int:
    """Fill in missing splits per stratum so each stratum approaches SHARES; returns count."""
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        strata[tuple(row[k] for k in strata_keys)].append(row)
    rng = random.Random(SEED)
    assigned = 0
    for key in sorted(strata):
        members = strata[key]
        todo = [r for r in members if "split" not in r]
        rng.shuffle(todo)
        for row in todo:
            have = {name: sum(r.get("split") == name for r in members) for name, _ in SHARES}
            total = sum(have.values()) + 1
            # The split furthest below its target share gets the item.
            row["split"] = max(SHARES, key=lambda s: s[1] - have[s[0]] / total)[0]
            assigned += 1
    return assigned


def move_translations(rows: list[dict], path: Path) -> None:
    translated = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    known = {t["source_id"] for t in translated}
    kept = dropped = 0
    for row in rows:
        text = row.pop("translation", None)
        if not text or row["id"] in known:
            continue
        if row["split"] != "train":
            dropped += 1
            continue
        lang = "en" if row["lang"] == "de" else "de"
        translated.append(
            {**row, "id": f"{row['id']}-{lang}", "text": text, "lang": lang, "source_id": row["id"]}
        )
        kept += 1
    path.write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in translated), encoding="utf-8"
    )
    print(f"{path.name}: {kept} translations of train rows added, {dropped} of dev/test dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    for name, keys in (("stance.jsonl", ("lang", "label")), ("relevance.jsonl", ("lang", "topic"))):
        path = args.data / name
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        n = assign(rows, keys)
        if name == "stance.jsonl":
            move_translations(rows, args.data / "stance_translated.jsonl")
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        counts = {s: sum(r["split"] == s for r in rows) for s, _ in SHARES}
        print(f"{path.name}: {len(rows)} rows, {n} newly assigned, {counts}")


if __name__ == "__main__":
    main()
