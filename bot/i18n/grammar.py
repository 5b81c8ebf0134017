"""Small grammar the templates ask for by name: `{volunteer:possessive}` is "Piets", "Vera's", "Kees'";
`{name:team}` is "team Oost", but "Buurtteam Overvecht" and "Team Oost" as they are (never "team Team Oost").

Dutch writes the possessive of a name by how it ends (Taalunie): only an apostrophe after an s-sound
(Kees', Max', Inez'); apostrophe-s after a single vowel that an s would make short (Vera's, Mo's, Eddy's,
José's); a plain s everywhere else (Piets, Miekes, Maries). English always adds 's.
"""

from __future__ import annotations

from typing import Final

_S_SOUNDS: Final = ("s", "x", "z", "sh", "sch")
_SHORTENED_VOWELS: Final = frozenset("aiouyáéíóú")
# Two letters that keep their sound before an s: no apostrophe (Maries, Renees, Lous).
_DIGRAPHS: Final = frozenset({"aa", "ee", "oo", "uu", "ie", "oe", "eu", "ou", "au", "ui", "ei", "ij"})


def possessive(lang: str, name: str) -> str:
    """`name`'s possessive form in `lang`: "Piets", "Vera's", "Kees'" in Dutch; "Piet's" in English."""
    if lang != "nl" or not name:
        return f"{name}'s"
    lower = name.lower()
    if lower.endswith(_S_SOUNDS):
        return f"{name}'"
    if lower[-1] in _SHORTENED_VOWELS and lower[-2:] not in _DIGRAPHS:
        return f"{name}'s"
    if not lower[-1].isalpha():  # "C-12", "Jansen (2)": an apostrophe keeps the name readable
        return f"{name}'s"
    return f"{name}s"


def team(lang: str, name: str) -> str:
    """A team's name with the word "team" before it, unless the name already says team."""
    if "team" in name.lower():
        return name
    return f"team {name}"


SPECS: Final = {"possessive": possessive, "team": team}
