"""Language identification (py3langid, whose model ships inside the package).

The declared feed language is a hint, not the truth: a confident detection wins; a short or
ambiguous text falls back to the hint, unless a fifth or more of its letters are in another script
(a Cyrillic or Greek text is not German, however short).
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this normalised probability a detection is not trusted over the declared language.
_CONFIDENT = 0.7


@lru_cache(maxsize=2)
def _identifier(restricted: bool) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if restricted:
        identifier.set_languages(["de", "en"])
    return identifier


def detect_language(text: str, hint: str = "auto") -> str:
    """ISO 639-1 code of `text`; `hint` is "de", "en" or "auto"."""
    sample = text[:5000]
    if not sample.strip():
        return hint if hint != "auto" else "und"
    lang, prob = _identifier(False).classify(sample)
    if prob >= _CONFIDENT or _latin_share(sample) < 0.8:
        return str(lang)
    if hint in ("de", "en"):
        return hint
    lang, _ = _identifier(True).classify(sample)
    return str(lang)


def _latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(ch < "\u0250" for ch in letters) / len(letters)
