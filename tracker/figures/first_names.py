"""Given names, from the name dictionary that ships with the `gender-guesser` package
(Jörg Michael's `nam_dict.txt`: about 48,000 given names with their frequency in 55
countries). German recognition uses it to find "Petra Lange" or "sagte Tobias Kern"
without a role word next to the name.

Only names that are at least occasional (frequency ≥ `MIN_FREQUENCY` on the file's 1–13
scale) in one of the countries whose news we read, or anywhere for names of other origins
that are common somewhere (≥ `MIN_ELSEWHERE`), are kept; words that German capitalises as
nouns or sentence starts and that also happen to be given names are removed.
"""

from __future__ import annotations

from functools import lru_cache

# Columns of the country frequencies in nam_dict.txt (0 = Great Britain, 2 = U.S.A.,
# 12 = Germany, 13 = Austria, 14 = Switzerland).
_HOME_COLUMNS = (0, 1, 2, 7, 8, 10, 11, 12, 13, 14)
MIN_FREQUENCY = 3
MIN_ELSEWHERE = 5
# Given names that are also German words written with a capital letter.
_GERMAN_WORDS = frozenset(
    {
        "Mark",
        "Ernst",
        "Kern",
        "Wolf",
        "Fuchs",
        "Golf",
        "Sonne",
        "Ende",
        "Heil",
        "Will",
        "Bank",
        "Mai",
        "Juni",
        "April",
        "August",
        "Welt",
        "China",
        "India",
        "America",
        "Page",
        "Art",
        "Job",
        "Chance",
        "Chip",
        "Deal",
        "Laut",
        "Nach",
        "Wie",
        "Dass",
    }
)


def _frequency(code: str) -> int:
    code = code.strip()
    return int(code, 16) if code else 0


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    import gender_guesser.detector as detector

    names = set()
    for name, genders in detector.Detector(case_sensitive=True).names.items():
        if not name[:1].isupper() or len(name) < 2 or "+" in name or " " in name:
            continue
        best_home = best_any = 0
        for columns in genders.values():
            for index, code in enumerate(columns):
                value = _frequency(code)
                best_any = max(best_any, value)
                if index in _HOME_COLUMNS:
                    best_home = max(best_home, value)
        if best_home >= MIN_FREQUENCY or best_any >= MIN_ELSEWHERE:
            names.add(name)
    return frozenset(names - _GERMAN_WORDS)
