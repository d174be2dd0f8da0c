"""Add new labelled items and assign a train / dev / test split to items that have none yet.

Splits are assigned once and stored in each row (`"split"`), stratified by language and label
(relevance: language and topic), with a fixed seed. Items that already have a split keep it,
so adding data never moves an old item between splits, and the test split is never tuned on.

Items that share a `"group"` (a contrast set: one situation written once per label) are
assigned together, so near-identical wordings never straddle train and test.

A new stance row may carry a `"translation"` into the other language. Once the row has its
split, the translation of a train row moves to `stance_translated.jsonl` (training data
only); translations of dev and test rows are dropped, since they would leak those items
into training.

    python scripts/split_data.py                         # assign missing splits
    python scripts/split_data.py --add batch1.jsonl ...  # check and append new stance rows first
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
LABELS = ("fomo", "neutral", "overspend")
REGISTERS = ("news", "headline", "analyst", "quote", "transcript")
HARD_TYPES = (
    "negation",
    "irony",
    "reported",
    "hedging",
    "both_sides",
    "numbers_framed",
    "no_keywords",
    "rhetorical_question",
)


def read_jsonl(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def check_new(path: Path, new: list[dict], known: list[dict]) -> list[str]:
    """Problems with the rows of a new batch, each naming the file and the row."""
    problems = []
    ids = {r["id"] for r in known}
    texts = {normalised(r["text"]) for r in known}
    for n, row in enumerate(new, 1):
        where = f"{path}:{n} ({row.get('id')!r})"
        if row.get("lang") not in ("de", "en") or not str(row.get("id", "")).startswith(
            f"{row.get('lang')}-"
        ):
            problems.append(f"{where}: 'lang' must be de or en and the id start with it")
        if row.get("label") not in LABELS:
            problems.append(f"{where}: 'label' must be one of {', '.join(LABELS)}")
        if row.get("register") not in REGISTERS:
            problems.append(f"{where}: 'register' must be one of {', '.join(REGISTERS)}")
        if row.get("hard_type") not in (None, *HARD_TYPES) or row.get("hard") != (
            row.get("hard_type") is not None
        ):
            problems.append(f"{where}: 'hard' must be true exactly when 'hard_type' is set")
        if "split" in row:
            problems.append(f"{where}: new rows get their split from this script; remove it")
        if row.get("id") in ids:
            problems.append(f"{where}: the id is already used")
        if not str(row.get("text", "")).strip() or normalised(row["text"]) in texts:
            problems.append(f"{where}: the text is empty or already in the data")
        ids.add(row.get("id"))
        texts.add(normalised(str(row.get("text", ""))))
    return problems


def assign(rows: list[dict], strata_keys: tuple[str, ...]) -> int:
    """Fill in missing splits per stratum so each stratum approaches SHARES; returns count.

    A unit is a single row or all rows of one group; a group is its own stratum per
    language, since it holds every label.
    """
    units: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        units[row.get("group") or row["id"]].append(row)
    strata: dict[tuple, list[list[dict]]] = defaultdict(list)
    for members in units.values():
        first = members[0]
        if len(members) > 1:
            key: tuple = (first["lang"], "group")
        else:
            key = tuple(first[k] for k in strata_keys)
        strata[key].append(members)
    rng = random.Random(SEED)
    assigned = 0
    for key in sorted(strata):
        stratum = strata[key]
        todo = [u for u in stratum if any("split" not in r for r in u)]
        rng.shuffle(todo)
        for unit in todo:
            done = [r["split"] for r in unit if "split" in r]
            if done:  # a group that grew keeps the split it has
                split = done[0]
            else:
                have = {name: sum(u[0].get("split") == name for u in stratum) for name, _ in SHARES}
                total = sum(have.values()) + 1
                # The split furthest below its target share gets the unit.
                split = max(SHARES, key=lambda s: s[1] - have[s[0]] / total)[0]
            for row in unit:
                if "split" not in row:
                    row["split"] = split
                    assigned += 1
    return assigned


def move_translations(rows: list[dict], path: Path) -> None:
    translated = read_jsonl(path)
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
    write_jsonl(path, translated)
    print(f"{path.name}: {kept} translations of train rows added, {dropped} of dev/test dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--add", type=Path, nargs="*", default=[], help="JSONL files of new stance rows"
    )
    args = parser.parse_args()
    stance_rows = read_jsonl(args.data / "stance.jsonl")
    problems = []
    for path in args.add:
        new = read_jsonl(path)
        problems += check_new(path, new, stance_rows)
        for row in new:
            if row.get("group") is None:
                row.pop("group", None)
        stance_rows += new
    if problems:
        raise SystemExit("Nothing was written:\n" + "\n".join(problems))
    for name, keys in (("stance.jsonl", ("lang", "label")), ("relevance.jsonl", ("lang", "topic"))):
        path = args.data / name
        rows = stance_rows if name == "stance.jsonl" else read_jsonl(path)
        n = assign(rows, keys)
        if name == "stance.jsonl":
            move_translations(rows, args.data / "stance_translated.jsonl")
        write_jsonl(path, rows)
        counts = {s: sum(r["split"] == s for r in rows) for s, _ in SHARES}
        print(f"{path.name}: {len(rows)} rows, {n} newly assigned, {counts}")


if __name__ == "__main__":
    main()
