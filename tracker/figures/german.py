"""German figures without a German NER model (none can be installed here).

Registry names are matched on the raw text (see `RegistryMatcher`). Names the registry does
not know are found by rules that German news style makes reliable:
  * a role word right before a two-part name: "Nvidia-Chef Jensen Huang",
    "Analystin Anna Weber", "Fondsmanager Klaus Brenner";
  * a legal form right after a name: "Brenner Capital GmbH", "Nordlicht Data AG".
Common capitalised nouns ("Milliarden", "Blase", "Rechenzentren") can never become figures:
a name needs a role or a legal form next to it.
"""

from __future__ import annotations

import re

from tracker.records import FigureMention

_ROLES = (
    r"[Cc]hef(?:in)?|CEO|CFO|CTO|[Gg]ründer(?:in)?|[Mm]itgründer(?:in)?|[Vv]orstand|"
    r"[Vv]orstandschef(?:in)?|[Vv]orstandsvorsitzende[rn]?|[Ff]inanzvorstand|[Ff]inanzchef(?:in)?|"
    r"[Aa]nalyst(?:in)?|[Ii]nvestor(?:in)?|[Öö]konom(?:in)?|[Pp]räsident(?:in)?|[Ss]tratege|"
    r"[Ss]trategin|[Ff]ondsmanager(?:in)?|[Cc]hefvolkswirt(?:in)?|[Vv]olkswirt(?:in)?|"
    r"[Gg]ouverneur(?:in)?|[Mm]inister(?:in)?|[Kk]anzler(?:in)?|[Dd]irektor(?:in)?|"
    r"[Mm]anager(?:in)?|[Pp]rofessor(?:in)?|[Ss]precher(?:in)?|[Gg]eschäftsführer(?:in)?|"
    r"[Aa]ufsichtsratschef(?:in)?|[Pp]artner(?:in)?|[Uu]nternehmer(?:in)?|[Ii]nvestmentchef(?:in)?"
)
# A capitalised word in any Latin script ("Yıldız", "Łukasz", "Šimon"): an upper-case
# letter, then lower-case ones.
_UPPER = r"[A-ZÀ-ÖØ-ÞĀ-ſ]"
_LOWER = r"[a-zß-öø-ÿĀ-ſ]"
_NAME_WORD = rf"(?:{_UPPER}{_LOWER}+(?:-{_UPPER}{_LOWER}+)?)"
_PERSON = re.compile(
    rf"(?<![\w])(?:[\w-]*-)?(?:{_ROLES})(?:,)?\s+(?:(?:Dr\.|Prof\.)\s+)*"
    rf"(?P<name>{_NAME_WORD}\s+(?:(?:von|van|de|der|zu)\s+)?{_NAME_WORD})(?![\w-])"
)
_LEGAL = r"AG|SE|GmbH|KGaA|Holding|Inc\.|Inc|Corp\.|Corporation|Ltd\.|LLC|plc|N\.V\.|S\.A\."
_ORG = re.compile(
    rf"(?<![\w])(?P<name>(?:[A-ZÄÖÜ][\w&.-]*\s+){{0,2}}[A-ZÄÖÜ][\w&.-]*\s+(?:{_LEGAL}))(?![\w])"
)
# Words that start a capitalised run without being part of a name.
_NOT_NAME_START = {
    "Der",
    "Die",
    "Das",
    "Den",
    "Dem",
    "Des",
    "Ein",
    "Eine",
    "Einer",
    "Eines",
    "Einem",
    "Einen",
    "Auch",
    "Auf",
    "Bei",
    "Beim",
    "Für",
    "Mit",
    "Von",
    "Vom",
    "Zur",
    "Zum",
    "Im",
    "In",
    "Am",
    "Laut",
    "Nach",
    "Wie",
    "Dass",
    "Aber",
    "Und",
    "Oder",
    "Doch",
    "Denn",
    "Als",
    "Wenn",
    "So",
    "The",
    "A",
    "An",
    "Of",
    "At",
    "By",
    "For",
    "With",
    "And",
}
# Capitalised nouns that follow role words but are never names.
_NOT_NAME_WORD = {
    "KI",
    "AI",
    "Milliarden",
    "Millionen",
    "Billionen",
    "Euro",
    "Dollar",
    "Prozent",
    "Blase",
    "Ausgaben",
    "Rechenzentren",
    "Rechenzentrum",
    "Aktie",
    "Aktien",
    "Umsatz",
    "Gewinn",
    "Investitionen",
    "Künstliche",
    "Intelligenz",
    "Nachfrage",
    "Markt",
    "Märkte",
    "Unternehmen",
    "Konzern",
    "Firma",
    "Bank",
    "Chips",
    "Daten",
    "Zukunft",
    "Jahr",
    "Jahre",
    "Quartal",
    "Anleger",
}


# A given name and a surname: "Petra Lange", "sagte Tobias Kern", "Anna von Bergen".
_GIVEN_AND_SURNAME = re.compile(
    rf"(?<![\w-])(?=(?P<name>(?P<first>{_NAME_WORD})\s+(?:(?:von|van|de|der|zu)\s+)?"
    rf"(?P<last>{_NAME_WORD}))(?![\w-]))"
)
# Words the name dictionary lists as given names that start other capitalised runs:
# sentence starts ("Im Gegenzug", "An der Börse") and place names ("San Francisco").
_NOT_GIVEN = frozenset(
    {
        "An",
        "Im",
        "In",
        "Am",
        "Um",
        "So",
        "Da",
        "Ob",
        "The",
        "Big",
        "New",
        "San",
        "Santa",
        "Los",
        "Las",
        "Saint",
        "St",
        "Sankt",
        "Bad",
        "Fort",
        "Port",
        "Mount",
    }
)
# Endings of German nouns, never of surnames.
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "ität", "ismus", "ment", "nis")


# An organisation introduced by what it is: "der Rechenzentrumsbetreiber Nordkapp Data",
# "beim Münchner Wagniskapitalgeber Earlybird", "die Firma Nordhessen IT".
_DESCRIPTOR_HEADS = (
    "betreiber",
    "verwalter",
    "haus",
    "fertiger",
    "investor",
    "hersteller",
    "zulieferer",
    "dienstleister",
    "gesellschaft",
    "geber",
    "bank",
    "fonds",
    "agentur",
    "plattform",
    "konzern",
    "kanzlei",
    "institut",
    "thinktank",
    "firma",
    "unternehmen",
    "start-up",
    "startup",
    "mittelständler",
    "beratung",
    "ausrüster",
    "anbieter",
    "versicherer",
    "marktforscher",
    "tochter",
    "büro",
    "entwickler",
    "versorger",
    "vehikel",
    "sender",
    "verlag",
    "börse",
    "holding",
    "gruppe",
)
_HEAD = "|".join(
    sorted(
        {*_DESCRIPTOR_HEADS, *(h.capitalize() for h in _DESCRIPTOR_HEADS)}, key=len, reverse=True
    )
)
_ORG_WORD = r"(?:[A-ZÄÖÜ][\w&-]*)"
_ORG_BY_DESCRIPTOR = re.compile(
    rf"(?<![\w-])[\w-]*?(?:{_HEAD})(?:s|es|n|en)?\s+"
    rf"(?P<name>{_ORG_WORD}(?:\s+{_ORG_WORD}){{0,2}})(?![\w-])"
)
# Capitalised words that end an organisation's name: times ("die Bank Mitte Januar").
_NOT_ORG_WORD = frozenset(
    {
        "Anfang",
        "Mitte",
        "Ende",
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
        "Jahr",
        "Jahres",
        "Quartal",
    }
)


def _descriptor_orgs(text: str, given_names: frozenset[str]) -> list[FigureMention]:
    mentions = []
    for match in _ORG_BY_DESCRIPTOR.finditer(text):
        words = match.group("name").split()
        kept: list[str] = []
        for word in words:
            if word in _NOT_ORG_WORD or word in _NOT_NAME_WORD or word in _NOT_NAME_START:
                break
            kept.append(word)
        if not kept or kept[0] in given_names:  # "Investor Michael Burry" is a person
            continue
        name = " ".join(kept)
        start = match.start("name")
        mentions.append(FigureMention(name, "ORG", name, start, start + len(name), False))
    return mentions


def german_rule_mentions(
    text: str, given_names: frozenset[str] = frozenset()
) -> list[FigureMention]:
    """Names outside the registry, found by role words, legal forms, descriptors
    ("der Netzbetreiber Amprion") and, with `given_names`, a known given name followed by
    a surname."""
    mentions = _descriptor_orgs(text, given_names)
    for match in _GIVEN_AND_SURNAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if first.split("-")[0] not in given_names or first in _NOT_GIVEN:
            continue
        if last in _NOT_NAME_WORD or last.endswith(_NOUN_ENDINGS) or last in _NOT_NAME_START:
            continue
        name = match.group("name")
        start = match.start("name")
        mentions.append(FigureMention(name, "PER", name, start, start + len(name), False))
    for match in _PERSON.finditer(text):
        name = match.group("name")
        if any(word in _NOT_NAME_WORD for word in name.split()):
            continue
        start = match.start("name")
        mentions.append(FigureMention(name, "PER", name, start, start + len(name), False))
    for match in _ORG.finditer(text):
        words = match.group("name").split()
        while words and words[0] in _NOT_NAME_START:
            words.pop(0)
        if len(words) < 2 or any(word in _NOT_NAME_WORD for word in words[:-1]):
            continue
        name = " ".join(words)
        start = match.end("name") - len(name)
        mentions.append(FigureMention(name, "ORG", name, start, match.end("name"), False))
    return mentions
