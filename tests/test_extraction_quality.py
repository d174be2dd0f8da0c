"""Main-text extraction on real article pages, pinned (`scripts/eval_extraction.py`)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from eval_extraction import measure

# Measured by `python scripts/eval_extraction.py` (mean token F1 over 12 pages); the
# target of issue 4 is 0.90. Re-pin when the extractor gets better, never to pass.
PINNED_MEAN_F1 = 0.960


@pytest.mark.realworld
def test_mean_token_f1_holds_the_pin(realworld: Path) -> None:
    results = measure(realworld / "html")
    assert len(results) >= 12  # fundus and readability pages, German and English
    mean = sum(r.f1 for r in results) / len(results)
    assert mean >= 0.90
    assert mean >= PINNED_MEAN_F1 - 0.01, f"mean token F1 {mean:.3f} fell below the pin"
    worst = min(results, key=lambda r: r.f1)
    assert worst.f1 >= 0.85, f"{worst.name}: token F1 {worst.f1:.3f}"
    # Authors: where the expected file names people, the page's byline is found.
    found = [r for r in results if r.author_expected and r.author_found]
    assert len(found) >= 10
