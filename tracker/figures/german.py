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
_NAME_WORD = r"[A-ZÄÖÜ][a-zäöüßéèáíóúç]+(?:-[A-ZÄÖÜ][a-zäöüßéèáíóúç]+)?"
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
# Endings of German nouns, never of surnames.
_NOUN_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "ität", "ismus", "ment", "nis")


def german_rule_mentions(
    text: str, given_names: frozenset[str] = frozenset()
) -> list[FigureMention]:
    """Names outside the registry, found by role words, legal forms and, with
    `given_names`, a known given name followed by a surname."""
    mentions = []
    for match in _GIVEN_AND_SURNAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if first.split("-")[0] not in given_names or last in _NOT_NAME_WORD:
            continue
        if last.endswith(_NOUN_ENDINGS) or last in _NOT_NAME_START:
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
