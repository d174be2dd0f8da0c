"""Measure main-text extraction on real article pages against their expected text.

    python scripts/eval_extraction.py [--html ../shared/realworld/html]

Each page `NAME.html` in the folder comes with the text a careful human-checked parser
extracts from it: `NAME.expected.txt` (fundus: title, summary, headlines, paragraphs) or
`NAME.expected.html` plus `NAME.expected-metadata.json` (Mozilla Readability). Our output
(`tracker.extract.text.extract_page`: title + main text) is compared with it by token-level
F1: words (lower-cased `\\w+` runs) as bags, precision = shared / ours, recall = shared /
expected. Also printed: whether the page's author was found where the expected file names
one. `tests/test_extraction_quality.py` pins the mean F1.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from tracker.extract.text import extract_page, normalise_whitespace

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT.parent / "shared" / "realworld" / "html"


@dataclass(frozen=True)
class PageResult:
    name: str
    precision: float
    recall: float
    f1: float
    author_expected: str | None
    author_found: str | None


def tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(ours: str, expected: str) -> tuple[float, float, float]:
    a, b = tokens(ours), tokens(expected)
    shared = sum((a & b).values())
    if not shared:
        return 0.0, 0.0, 0.0
    precision, recall = shared / sum(a.values()), shared / sum(b.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def expected_for(page: Path) -> tuple[str, str | None] | None:
    """The expected text of a page and its expected author, or None when it has none."""
    stem = page.name.removesuffix(".html")
    txt, meta_json = page.with_name(f"{stem}.expected.txt"), page.with_name(f"{stem}.expected.json")
    if txt.exists():
        authors: list[str] = []
        if meta_json.exists():
            authors = json.loads(meta_json.read_text("utf-8"))["expected"].get("authors") or []
        return txt.read_text("utf-8"), (", ".join(authors) or None)
    expected_html = page.with_name(f"{stem}.expected.html")
    if expected_html.exists():
        meta = json.loads(page.with_name(f"{stem}.expected-metadata.json").read_text("utf-8"))
        body = lxml.html.fromstring(expected_html.read_bytes()).text_content()
        return f"{meta.get('title') or ''}\n\n{normalise_whitespace(body)}", meta.get("byline")
    return None


def measure(folder: Path = HTML) -> list[PageResult]:
    results = []
    for page in sorted(folder.glob("*.html")):
        if ".expected" in page.name:
            continue
        expected = expected_for(page)
        if expected is None:
            continue
        text, author = expected
        extracted = extract_page(page.read_bytes())
        p, r, f = token_f1(f"{extracted.title}\n\n{extracted.text}", text)
        results.append(PageResult(page.stem, p, r, f, author, extracted.author))
    return results


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--html", type=Path, default=HTML, help="folder of pages (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    results = measure(args.html)
    if not results:
        raise SystemExit(f"{args.html}: no page with an expected text. Fix: pass --html FOLDER.")
    print("| page | precision | recall | F1 | expected author | author found |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.name} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} "
            f"| {r.author_expected or '–'} | {r.author_found or '–'} |"
        )
    mean = sum(r.f1 for r in results) / len(results)
    print(f"\nmean token F1 over {len(results)} pages: {mean:.3f}")
    return mean


if __name__ == "__main__":
    main()
