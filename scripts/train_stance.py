"""Train the stance and relevance model on the project's labelled data.

    python scripts/train_stance.py                 # LoRA fine-tuning (the shipped model)
    python scripts/train_stance.py --method probe  # linear heads on the frozen encoder

`lora` (default) fine-tunes multilingual-e5-small with a LoRA adapter on its top layers
together with two linear heads on the mean-pooled, L2-normalised embedding: stance
(fomo / neutral / overspend, on the stance set) and relevance (stance items are relevant,
the relevance set is not). Train items translated into the other language
(`stance_translated.jsonl`) are added to training only. The epoch is chosen on the dev
split only. `probe` fits logistic
regressions on frozen embeddings; it is kept for comparison.

Then, on dev only: a temperature for the stance logits (calibrated confidence) and the
threshold under which a weak or mixed lean is labelled neutral. Writes
`models/stance/head.npz`, `head.json` and, for `lora`, `models/stance/adapter/` (about
2.6 MB), then runs `scripts/evaluate_stance.py --write`: dev and test through the
production scorer, with the baselines, into `metrics.json` and `MODEL_CARD.md`.
Deterministic on CPU: fixed seed, fixed data order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import evaluate_stance  # scripts/, beside this file
import numpy as np
import torch
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from tracker.config import Settings
from tracker.extract import make_document
from tracker.records import LABELS
from tracker.score import E5Scorer, score_documents
from tracker.score.article import decide
from tracker.score.encoder import QUERY_PREFIX, Encoder
from tracker.score.head import StanceHead

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "models" / "stance" / "data"
SEED = 13
SCALE = 20.0  # logit scale of the heads on unit-length embeddings (a cosine classifier)


@dataclass(frozen=True)
class Recipe:
    """The LoRA setup; the defaults were chosen on the dev split (see the model card)."""

    rank: int = 16
    layers: tuple[int, ...] = tuple(range(6, 12))
    epochs: int = 6
    learning_rate: float = 1e-3
    batch: int = 16


def layer_range(text: str) -> tuple[int, ...]:
    """'6-11' → (6, …, 11); '0,3,5' → (0, 3, 5)."""
    if "-" in text:
        first, last = text.split("-")
        return tuple(range(int(first), int(last) + 1))
    return tuple(int(part) for part in text.split(","))


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # index into LABELS, -1 for relevance-only examples
    relevant: float
    split: str
    lang: str


def load_examples(data: Path) -> list[Example]:
    def rows(name: str) -> list[dict]:
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]

    originals = rows("stance.jsonl")
    stance = [
        Example(r["text"], LABELS.index(r["label"]), 1.0, r["split"], r["lang"]) for r in originals
    ]
    relevance = [
        Example(r["text"], -1, 0.0, r["split"], r["lang"]) for r in rows("relevance.jsonl")
    ]
    return stance + relevance + translated_examples(data, originals)


def translated_examples(data: Path, originals: list[dict]) -> list[Example]:
    """Train-split items translated into the other language: training data only."""
    path = data / "stance_translated.jsonl"
    if not path.exists():
        return []
    train_ids = {r["id"] for r in originals if r["split"] == "train"}
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["source_id"] not in train_ids or r["split"] != "train":
            raise SystemExit(
                f"{path}: {r['id']} translates {r['source_id']}, which is not in the train "
                "split; translations of dev or test items would leak them into training."
            )
        examples.append(Example(r["text"], LABELS.index(r["label"]), 1.0, "train", r["lang"]))
    return examples


def macro_f1(y_true: Sequence[int], y_pred: Sequence[int]) -> float:
    return float(f1_score(y_true, y_pred, average="macro", labels=list(range(len(LABELS)))))


def seed_everything(seed: int) -> random.Random:
    torch.manual_seed(seed)
    np.random.seed(seed)
    return random.Random(seed)


def train_lora(encoder: Encoder, examples: list[Example], out: Path, recipe: Recipe) -> dict:
    from peft import LoraConfig, get_peft_model

    rng = seed_everything(SEED)
    model = get_peft_model(
        encoder.model,
        LoraConfig(
            r=recipe.rank,
            lora_alpha=2 * recipe.rank,
            lora_dropout=0.1,
            target_modules=["query", "key", "value", "dense"],
            layers_to_transform=list(recipe.layers),
        ),
    )
    stance_head = torch.nn.Linear(encoder.dim, len(LABELS))
    relevance_head = torch.nn.Linear(encoder.dim, 1)
    dropout = torch.nn.Dropout(0.1)
    params = [p for p in model.parameters() if p.requires_grad]
    params += [*stance_head.parameters(), *relevance_head.parameters()]
    optimiser = torch.optim.AdamW(params, lr=recipe.learning_rate, weight_decay=0.01)
    train = [e for e in examples if e.split == "train"]
    dev = [e for e in examples if e.split == "dev" and e.label >= 0]
    # Relevant examples outnumber the others; weigh the relevance loss so both count equally.
    positives = sum(e.relevant for e in train)
    negative_weight = positives / max(1.0, len(train) - positives)
    steps = recipe.epochs * -(-len(train) // recipe.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )

    def pooled(texts: list[str]) -> torch.Tensor:
        batch = encoder.tokenizer(
            [QUERY_PREFIX + t for t in texts],
            padding=True,
            truncation=True,
            max_length=256,
            return_tensors="pt",
        )
        with torch.autocast("cpu", dtype=torch.bfloat16):
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return torch.nn.functional.normalize((hidden.float() * mask).sum(1) / mask.sum(1), dim=-1)

    def dev_f1() -> float:
        model.eval()
        predictions = []
        with torch.inference_mode():
            for start in range(0, len(dev), 64):
                chunk = dev[start : start + 64]
                logits = stance_head(pooled([e.text for e in chunk]))
                predictions += logits.argmax(dim=1).tolist()
        return macro_f1([e.label for e in dev], predictions)

    best_f1, best_state, started = -1.0, {}, time.perf_counter()
    for epoch in range(recipe.epochs):
        model.train()
        order = list(range(len(train)))
        rng.shuffle(order)
        # Buckets of similar length pad little; their order is shuffled again.
        chunks = [
            sorted(order[i : i + recipe.batch * 8], key=lambda j: len(train[j].text))
            for i in range(0, len(order), recipe.batch * 8)
        ]
        batches = [c[i : i + recipe.batch] for c in chunks for i in range(0, len(c), recipe.batch)]
        rng.shuffle(batches)
        for indices in batches:
            batch = [train[j] for j in indices]
            h = dropout(pooled([e.text for e in batch]))
            labels = torch.tensor([e.label for e in batch])
            relevant = torch.tensor([e.relevant for e in batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                relevance_head(h)[:, 0] * SCALE,
                relevant,
                weight=torch.where(relevant > 0, 1.0, negative_weight),
            )
            has_label = labels >= 0
            if has_label.any():
                loss = loss + torch.nn.functional.cross_entropy(
                    stance_head(h)[has_label] * SCALE, labels[has_label]
                )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        score = dev_f1()
        print(
            f"  epoch {epoch + 1}/{recipe.epochs}: dev macro-F1 {score:.3f} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        if score > best_f1:
            best_f1 = score
            best_state = {
                "lora": {
                    k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k
                },
                "stance": {k: v.detach().clone() for k, v in stance_head.state_dict().items()},
                "relevance": {
                    k: v.detach().clone() for k, v in relevance_head.state_dict().items()
                },
                "epoch": epoch + 1,
            }
    model.load_state_dict(best_state["lora"], strict=False)
    stance_head.load_state_dict(best_state["stance"])
    relevance_head.load_state_dict(best_state["relevance"])

    adapter = out / "adapter"
    shutil.rmtree(adapter, ignore_errors=True)
    # Record the encoder's name, not this machine's cache path.
    model.peft_config["default"].base_model_name_or_path = encoder.name
    model.save_pretrained(str(adapter))
    (adapter / "README.md").unlink(missing_ok=True)  # peft's empty template; see MODEL_CARD.md
    # The scale is folded into the saved weights: logits = SCALE * (W h + b).
    StanceHead(
        stance_w=(stance_head.weight.detach().numpy() * SCALE).astype(np.float32),
        stance_b=(stance_head.bias.detach().numpy() * SCALE).astype(np.float32),
        relevance_w=(relevance_head.weight.detach().numpy()[0] * SCALE).astype(np.float32),
        relevance_b=float(relevance_head.bias.detach().numpy()[0] * SCALE),
        adapter=adapter,
    ).save(out)
    return {
        "method": "lora",
        "lora_rank": recipe.rank,
        "lora_layers": list(recipe.layers),
        "epochs": recipe.epochs,
        "best_epoch": best_state["epoch"],
        "learning_rate": recipe.learning_rate,
        "batch": recipe.batch,
        "scale": SCALE,
    }


def train_probe(encoder: Encoder, examples: list[Example], out: Path, recipe: Recipe) -> dict:
    seed_everything(SEED)
    x = encoder.embed([e.text for e in examples], prefix=QUERY_PREFIX)
    split = np.array([e.split for e in examples])
    y = np.array([e.label for e in examples])
    stance_rows = y >= 0

    def fit(c: float, rows: np.ndarray, target: np.ndarray, **kw: object) -> LogisticRegression:
        model = LogisticRegression(C=c, max_iter=5000, random_state=SEED, **kw)
        return model.fit(x[rows], target[rows])

    grid = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
    train, dev = stance_rows & (split == "train"), stance_rows & (split == "dev")
    best_c = max(grid, key=lambda c: macro_f1(y[dev], fit(c, train, y).predict(x[dev])))
    stance = fit(best_c, train, y)
    relevant = np.array([e.relevant for e in examples])
    relevance = fit(8.0, split == "train", relevant, class_weight="balanced")
    shutil.rmtree(out / "adapter", ignore_errors=True)
    StanceHead(
        stance_w=stance.coef_.astype(np.float32),
        stance_b=stance.intercept_.astype(np.float32),
        relevance_w=relevance.coef_[0].astype(np.float32),
        relevance_b=float(relevance.intercept_[0]),
    ).save(out)
    return {"method": "probe", "stance_C": best_c, "relevance_C": 8.0}


def calibrate(out: Path, examples: list[Example], settings: Settings) -> dict:
    """Fit the temperature of the stance logits and the neutral threshold on dev.

    The temperature (minimum negative log-likelihood on the dev items) is folded into the
    saved stance weights, so `confidence` means what it says; the neutral threshold is the
    one that gives the best dev macro-F1 through the production path.
    """
    head = StanceHead.load(out)
    encoder = Encoder.load(settings.encoder, settings.cache_dir, head.adapter)
    dev = [e for e in examples if e.split == "dev" and e.label >= 0]
    logits = encoder.embed([e.text for e in dev], prefix=head.prefix) @ head.stance_w.T
    logits += head.stance_b
    labels = np.array([e.label for e in dev])

    def nll(temperature: float) -> float:
        z = logits / temperature
        z -= z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(dev)), labels].mean())

    temperature = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
    calibrated = StanceHead(
        head.stance_w / temperature,
        head.stance_b / temperature,
        head.relevance_w,
        head.relevance_b,
        {**head.meta, "temperature": round(temperature, 4)},
        head.adapter,
    )
    documents = [make_document("", e.text, e.lang) for e in dev]
    probs = np.array([s.probs for s in score_documents(E5Scorer(encoder, calibrated), documents)])
    # Always on: an article whose passages pull both ways must not get a side by a hair.
    grid = np.round(np.arange(0.40, 0.71, 0.02), 2)
    best = max(
        grid,
        key=lambda t: macro_f1(labels.tolist(), [decide(p, float(t)) for p in probs]),
    )
    StanceHead(
        calibrated.stance_w,
        calibrated.stance_b,
        calibrated.relevance_w,
        calibrated.relevance_b,
        {**calibrated.meta, "neutral_below": float(best)},
        calibrated.adapter,
    ).save(out)
    return {"temperature": round(temperature, 4), "neutral_below": float(best)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("lora", "probe"), default="lora")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--calibrate-only",
        action="store_true",
        help="keep the trained weights; refit temperature and neutral threshold on dev",
    )
    defaults = Recipe()
    parser.add_argument("--rank", type=int, default=defaults.rank, help="LoRA rank")
    parser.add_argument(
        "--layers",
        type=layer_range,
        default=defaults.layers,
        help="encoder layers that get LoRA, e.g. 6-11 or 0-11",
    )
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--lr", type=float, default=defaults.learning_rate)
    parser.add_argument("--batch", type=int, default=defaults.batch)
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="for comparing recipes: report dev metrics only, pin nothing",
    )
    args = parser.parse_args()
    recipe = Recipe(args.rank, tuple(args.layers), args.epochs, args.lr, args.batch)
    torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))

    settings = Settings()  # TRACKER_MODELS_DIR chooses where the model is written
    args.out = settings.models_dir / "stance"
    examples = load_examples(args.data)
    digest = hashlib.sha256(
        (args.data / "stance.jsonl").read_bytes() + (args.data / "relevance.jsonl").read_bytes()
    ).hexdigest()[:12]
    if args.calibrate_only:
        calibration = calibrate(args.out, examples, settings)
        head = StanceHead.load(args.out)
        StanceHead(
            head.stance_w,
            head.stance_b,
            head.relevance_w,
            head.relevance_b,
            {**head.meta, **calibration, "data_sha256": digest},
            head.adapter,
        ).save(args.out)
        evaluate(args)
        return
    started = time.perf_counter()
    encoder = Encoder.load(settings.encoder, settings.cache_dir)
    train = train_lora if args.method == "lora" else train_probe
    setup = train(encoder, examples, args.out, recipe)
    minutes = (time.perf_counter() - started) / 60

    calibration = calibrate(args.out, examples, settings)
    head = StanceHead.load(args.out)
    meta = {
        **head.meta,
        **setup,
        **calibration,
        "encoder": encoder.name,
        "prefix": QUERY_PREFIX,
        "data_sha256": digest,
        "n_train": sum(e.split == "train" for e in examples),
        "seed": SEED,
        "train_minutes": round(minutes, 1),
        "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    StanceHead(
        head.stance_w, head.stance_b, head.relevance_w, head.relevance_b, meta, head.adapter
    ).save(args.out)
    print(f"saved {StanceHead.load(args.out).version} to {args.out} ({minutes:.1f} min training)")
    evaluate(args)


def evaluate(args: argparse.Namespace) -> None:
    """The model card's numbers and the pinned metrics.json come from the production path;
    while recipes are compared, only dev is looked at."""
    if args.dev_only:
        evaluate_stance.main(["--data", str(args.data), "--splits", "dev"])
        return
    metrics = evaluate_stance.main(["--data", str(args.data), "--write"])
    shipped = ROOT / "models" / "stance" / "metrics.json"
    if args.out.resolve() != shipped.parent.resolve() and shipped.exists():
        # Trained elsewhere (TRACKER_MODELS_DIR): does this run reproduce the shipped model?
        pinned = json.loads(shipped.read_text(encoding="utf-8"))
        for part in ("all", "de", "en"):
            now, then = (m["test"]["model"][part]["macro_f1"] for m in (metrics, pinned))
            print(
                f"test macro-F1 {part}: {now:.4f}, shipped {then:.4f}, difference {now - then:+.4f}"
            )


if __name__ == "__main__":
    main()
