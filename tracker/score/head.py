"""The trained heads on top of the encoder: stance (3 classes) and relevance (binary).

Both are linear layers on L2-normalised, mean-pooled e5 embeddings, stored as `head.npz`
(arrays only, loaded without pickle) with `head.json` (classes, encoder, training data,
metrics). When the encoder was fine-tuned with them, `head.json` names the LoRA adapter
folder beside it. The version recorded with every score hashes the heads and the adapter,
so a retrained model never mixes with old scores.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracker.errors import ModelError
from tracker.records import LABELS


@dataclass(frozen=True)
class StanceHead:
    stance_w: np.ndarray  # (3, dim), rows in LABELS order
    stance_b: np.ndarray  # (3,)
    relevance_w: np.ndarray  # (dim,)
    relevance_b: float
    meta: dict[str, Any] = field(default_factory=dict)
    adapter: Path | None = None  # the LoRA adapter the encoder needs for these heads

    @property
    def version(self) -> str:
        digest = hashlib.sha256()
        for array in (self.stance_w, self.stance_b, self.relevance_w):
            digest.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest.update(np.float32(self.relevance_b).tobytes())
        digest.update(np.float32(self.neutral_below).tobytes())
        if self.adapter is not None:
            for path in sorted(self.adapter.glob("*.safetensors")):
                digest.update(path.read_bytes())
        return f"stance-{digest.hexdigest()[:10]}"

    @property
    def neutral_below(self) -> float:
        """A fomo or overspend lean weaker than this is labelled neutral (set on dev)."""
        return float(self.meta.get("neutral_below", 0.0))

    @property
    def prefix(self) -> str:
        return str(self.meta.get("prefix", "query: "))

    def predict(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities n×3 in LABELS order, relevance n) for unit-length embeddings."""
        logits = embeddings @ self.stance_w.T + self.stance_b
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        relevance = 1.0 / (1.0 + np.exp(-(embeddings @ self.relevance_w + self.relevance_b)))
        return probs, relevance

    @classmethod
    def load(cls, folder: Path) -> StanceHead:
        weights, meta_path = folder / "head.npz", folder / "head.json"
        if not weights.exists() or not meta_path.exists():
            raise ModelError(
                f"no stance head in {folder} (head.npz and head.json). "
                "Fix: run `python scripts/train_stance.py`, or set TRACKER_MODELS_DIR."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        adapter = folder / meta["adapter"] if meta.get("adapter") else None
        if adapter is not None and not (adapter / "adapter_config.json").exists():
            raise ModelError(
                f"{meta_path} names the adapter {adapter}, which is missing. "
                "Fix: restore models/ from the repository or retrain the model."
            )
        with np.load(weights, allow_pickle=False) as arrays:
            head = cls(
                stance_w=arrays["stance_w"].astype(np.float32),
                stance_b=arrays["stance_b"].astype(np.float32),
                relevance_w=arrays["relevance_w"].astype(np.float32),
                relevance_b=float(arrays["relevance_b"]),
                meta=meta,
                adapter=adapter,
            )
        if tuple(head.meta.get("classes", LABELS)) != LABELS:
            raise ModelError(f"{meta_path}: classes must be {LABELS}. Fix: retrain the head.")
        return head

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(
            folder / "head.npz",
            stance_w=self.stance_w.astype(np.float32),
            stance_b=self.stance_b.astype(np.float32),
            relevance_w=self.relevance_w.astype(np.float32),
            relevance_b=np.float32(self.relevance_b),
        )
        meta = {**self.meta, "classes": list(LABELS), "version": self.version}
        if self.adapter is not None:
            meta["adapter"] = self.adapter.relative_to(folder).as_posix()
        (folder / "head.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def head_version(folder: Path) -> str:
    """The version of the head stored in `folder`, read from head.json (cheap)."""
    meta_path = folder / "head.json"
    try:
        return str(json.loads(meta_path.read_text(encoding="utf-8"))["version"])
    except (OSError, KeyError, ValueError):
        raise ModelError(
            f"cannot read the stance head version from {meta_path}. "
            "Fix: run `python scripts/train_stance.py`."
        ) from None
