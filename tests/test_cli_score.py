"""`tracker score` with the real model: signs in both languages, batches, bad input."""

import json
from pathlib import Path

import pytest

from tracker.cli import main

pytestmark = pytest.mark.model

GERMAN_FOMO = (
    "Die Nachfrage nach KI-Rechenzentren ist unersättlich. Nvidia ist bis weit ins nächste Jahr "
    "ausverkauft, und die Kunden stehen Schlange. Wer jetzt nicht investiert, verliert den "
    "Anschluss. Die Milliarden für neue Rechenzentren werden sich auszahlen."
)
ENGLISH_FEAR = (
    "Investors are growing nervous that the AI spending spree will never pay off. The capex is "
    "far outpacing revenue, and the circular deals between chip makers and their customers "
    "look like the dot-com bubble. Much of it is funded with debt."
)
GERMAN_FEAR = (
    "Die KI-Investitionen rechnen sich nicht. Das Geld dreht sich im Kreis: Nvidia finanziert "
    "seine eigenen Kunden. Die Abschreibungen auf die Chips werden die Gewinne auffressen, und "
    "viele Anleger fühlen sich an die Dotcom-Blase erinnert."
)
ENGLISH_FOMO = (
    "Demand for AI compute is insatiable. Hyperscalers cannot build data centres fast enough, "
    "order books are full for years, and any company that is not investing now will be left "
    "behind. The spending will pay for itself many times over."
)


def score_json(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> dict:
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("text", "lang", "sign"),
    [
        (GERMAN_FOMO, "de", 1),
        (ENGLISH_FEAR, "en", -1),
        (GERMAN_FEAR, "de", -1),
        (ENGLISH_FOMO, "en", 1),
    ],
    ids=["german-fomo", "english-fear", "german-fear", "english-fomo"],
)
def test_clear_texts_get_the_right_sign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, lang: str, sign: int
) -> None:
    result = score_json(tmp_path, text, capsys)
    assert result["lang"] == lang
    assert result["stance"] * sign > 0
    assert result["label"] == ("fomo" if sign > 0 else "overspend")
    assert result["relevance"] > 0.5
    assert 0 < result["confidence"] <= 1
    # the sentences shown as drivers include the ones that pull the article its way
    assert any(d["stance"] * sign > 0.5 for d in result["drivers"])
    assert result["sentences"] == text.count(".")  # every sentence scored, none dropped


def test_human_output_shows_drivers_and_figures(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(
        "sys.stdin",
        io.StringIO(
            "Bradley Tusk warned that OpenAI's circular deals with Nvidia will end badly. "
            "Tusk said the capex will never pay back."
        ),
    )
    assert main(["score", "-"]) == 0
    out = capsys.readouterr().out
    assert "label       overspend" in out
    assert "sentences that drove the score:" in out
    assert "Bradley Tusk (PER) x2" in out and "OpenAI (ORG) x1" in out


def test_batch_of_200_lines_one_output_line_each_with_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [GERMAN_FOMO, ENGLISH_FEAR, GERMAN_FEAR, ENGLISH_FOMO]
    lines = [
        json.dumps({"id": f"a{i}", "text": texts[i % 4], "title": f"Nr. {i}"}) for i in range(197)
    ]
    lines.insert(10, "{not json")
    lines.insert(50, json.dumps({"id": "no-text"}))
    lines.insert(100, json.dumps({"id": "x", "text": "Hallo", "lang": "fr"}))
    assert len(lines) == 200
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["score", "--batch", str(batch), "--out", str(out), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "score" in err and "200/200" in err  # the progress display, finished
    assert "scored 197 of 200 lines; 3 errors" in err
    results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(results) == 200
    assert results[10] == {
        "id": None,
        "line": 11,
        "error": f"{batch}:11: not valid JSON (Expecting property name enclosed in double quotes)",
    }
    assert results[50]["id"] == "no-text" and "'text'" in results[50]["error"]
    assert "'lang' must be de, en or auto" in results[100]["error"]
    good = [r for r in results if "error" not in r]
    assert [r["id"] for r in good] == [f"a{i}" for i in range(197)]  # same order as the input
    assert set(good[0]) == {"id", "stance", "label", "relevance", "confidence", "lang", "figures"}
    assert good[0]["stance"] > 0 > good[1]["stance"]
    assert {"name": "Nvidia", "type": "ORG", "mentions": 1} in good[0]["figures"]


def test_bad_inputs_get_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["score", str(empty)]) == 2
    assert "the input is empty" in capsys.readouterr().err
    assert main(["score", "http://127.0.0.1:9/article"]) == 2
    assert "127.0.0.1:9" in capsys.readouterr().err


@pytest.mark.realworld
def test_score_a_real_article_page_by_url(
    serve, realworld: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = serve(realworld / "html")
    server.content_types[".html"] = "text/html; charset=utf-8"
    assert main(["score", server.url("heise__fundus.html"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["lang"] == "de"
    assert result["sentences"] >= 10  # the article's main text, not just its title
    assert -1 <= result["stance"] <= 1 and 0 <= result["relevance"] <= 1
