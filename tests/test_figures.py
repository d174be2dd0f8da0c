from pathlib import Path

import pytest

from tracker.errors import ConfigError
from tracker.extract import make_document
from tracker.figures import FigureExtractor, summarize
from tracker.figures.german import german_rule_mentions
from tracker.figures.registry import RegistryMatcher, load_registry

REGISTRY = Path(__file__).resolve().parent.parent / "models" / "figures" / "registry.yaml"


@pytest.fixture(scope="module")
def extractor() -> FigureExtractor:
    return FigureExtractor(load_registry(REGISTRY))


def figures(extractor: FigureExtractor, text: str, lang: str) -> dict[str, tuple[str, int]]:
    (mentions,) = extractor.extract([make_document("", text, lang)])
    return {f.name: (f.type, f.mentions) for f in summarize(mentions)}


def test_registry_is_large_typed_and_unambiguous() -> None:
    registry = load_registry(REGISTRY)
    assert len(registry.entries) >= 150
    assert {e.type for e in registry.entries} == {"PER", "ORG"}
    names = registry.by_name()
    assert "Facebook" in names["Meta"].aliases and "Google" in names["Alphabet"].aliases


def test_registry_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "registry.yaml"
    bad.write_text("- {name: A, type: ORG, aliases: [X]}\n- {name: B, type: ORG, aliases: [x]}\n")
    with pytest.raises(ConfigError, match=r"entry 2 \('B'\).*already a name or alias of 'A'"):
        load_registry(bad)
    bad.write_text("- {name: A, type: COMPANY}\n")
    with pytest.raises(ConfigError, match="PER or ORG"):
        load_registry(bad)


def test_german_forms_of_registry_names() -> None:
    matcher = RegistryMatcher(load_registry(REGISTRY))
    text = (
        "Nvidia-Chef Jensen Huang lobte Nvidias Zahlen; laut der Deutschen Bank und der "
        "Europäischen Zentralbank (EZB) bleibt Googles Mutter Alphabet vorn. Der Arm tut weh."
    )
    matches = matcher.find(text)
    found = {(m.entry.name, m.surface) for m in matches}
    assert [m.surface for m in matches if m.entry.name == "Nvidia"] == ["Nvidia", "Nvidia"]
    assert text[matches[1].start : matches[1].end] == "Jensen Huang"
    assert ("Deutsche Bank", "Deutschen Bank") in found
    assert ("Alphabet", "Google") in found  # from the genitive "Googles"
    assert not any(m.surface == "Arm" for m in matcher.find(text))  # a German noun, not ARM


def test_english_registry_wins_over_statistical_ner(extractor: FigureExtractor) -> None:
    found = figures(
        extractor,
        "Bradley Tusk of Tusk Ventures said OpenAI and Nvidia are in a "
        "circular deal. Tusk added that Sam Altman's firm burns cash. "
        "Analyst Maria Gonzalez of Brightwater Capital agreed.",
        "en",
    )
    assert found["Bradley Tusk"] == ("PER", 2)
    assert found["OpenAI"][0] == "ORG" and found["Nvidia"][0] == "ORG"
    assert found["Sam Altman"] == ("PER", 1)
    assert "Maria Gonzalez" in found  # not in the registry: the NER finds it


def test_german_names_outside_the_registry_and_surnames(extractor: FigureExtractor) -> None:
    found = figures(
        extractor,
        "Fondsmanager Tobias Reinhold hält die Milliarden für verbrannt. "
        "Reinhold verweist auf die Brenner Capital GmbH. Altman schweigt, Klein auch.",
        "de",
    )
    assert found["Tobias Reinhold"] == ("PER", 2)
    assert found["Brenner Capital GmbH"] == ("ORG", 1)
    # A registry person's distinctive surname names him even alone; a surname that is
    # also a common word ("Klein") does not.
    assert found["Sam Altman"] == ("PER", 1)
    assert not [name for name in found if name.endswith("Klein")]


@pytest.mark.parametrize("noun", ["Milliarden", "Blase", "Ausgaben", "Rechenzentren"])
def test_common_german_nouns_are_never_figures(extractor: FigureExtractor, noun: str) -> None:
    text = (
        f"{noun} über {noun}: Chef {noun} Blase sagte, die {noun} der KI-Branche wachsen. "
        f"Analyst {noun} Ausgaben warnt. {noun} AG"
    )
    found = figures(extractor, text, "de")
    assert not any(noun in name for name in found), found
    assert not any(noun in m.name for m in german_rule_mentions(text))


def test_german_names_without_a_role_word_by_their_given_name(extractor: FigureExtractor) -> None:
    text = (
        "„Die Rechnung geht nicht auf“, sagte Petra Lange am Dienstag. Laut Tobias Kern "
        "bleibt die Nachfrage hoch. Lange verwies auf die Milliarden für Rechenzentren."
    )
    found = figures(extractor, text, "de")
    assert found["Petra Lange"] == ("PER", 2)  # the surname alone counts for her
    assert found["Tobias Kern"] == ("PER", 1)
    # Capitalised nouns after a given name-like word never make a person.
    assert figures(extractor, "Mark Milliarden Ausgaben Blase Rechenzentren", "de") == {}
    roles_only = FigureExtractor(extractor.registry, german_given_names=False)
    assert "Petra Lange" not in figures(roles_only, text, "de")


def test_transcript_speaker_roles_are_not_people(extractor: FigureExtractor) -> None:
    text = "Host: Welcome back.\n\nGuest: Thanks. Nvidia's orders are sold out."
    assert set(figures(extractor, text, "en")) == {"Nvidia"}
