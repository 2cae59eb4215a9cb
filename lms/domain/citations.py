"""In-text citations, and whether each one names an entry of the course's source lists.

Recognised forms: "(Almeida et al. 2020)", "(Scannell 2021, Supervision)",
"(Almeida et al., 2020; Scannell 2021)", "(SAMHSA 2015)", and the narrative
"Shepardson et al. (2019) found…" or "Scannell (2021) found…".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A surname or an organisation's acronym: "Almeida", "O'Hagan", "SAMHSA", "iNAPS", "eCFR".
_NAME = r"(?:[A-Z][A-Za-z'’-]*|[a-z]+[A-Z][A-Za-z]*)"
_AUTHORS = rf"(?P<name>{_NAME})(?: et al\.?| (?:and|&) {_NAME})?"
_YEAR = r"(?P<year>(?:19|20)\d\d)[a-z]?"
PARENTHETICAL = re.compile(r"\(([^()]*)\)")
CITED_ITEM = re.compile(rf"^\s*{_AUTHORS},? {_YEAR}\s*(?:,[^;]*)?$")
NARRATIVE = re.compile(rf"\b{_AUTHORS} \({_YEAR}[^()]*\)")
# An APA entry's year: "(2020)." or "(2023, May 4)."
ENTRY_YEAR = re.compile(r"\(((?:19|20)\d\d)[a-z]?[,)]")


@dataclass(frozen=True)
class Citation:
    name: str
    year: str

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


def citations_in(text: str) -> list[Citation]:
    """Every citation in the text, in order, narrative ones included."""
    found = []
    for match in PARENTHETICAL.finditer(text):
        for item in match.group(1).split(";"):
            cited = CITED_ITEM.match(item)
            if cited:
                found.append((match.start(), Citation(cited["name"], cited["year"])))
    found += [(m.start(), Citation(m["name"], m["year"])) for m in NARRATIVE.finditer(text)]
    return [citation for _, citation in sorted(found, key=lambda pair: pair[0])]


def entry_year(entry: str) -> str | None:
    match = ENTRY_YEAR.search(entry)
    return match.group(1) if match else None


def cites(citation: Citation, entry: str) -> bool:
    """The cited name appears in the entry (as a whole word) and the year is the entry's year."""
    return entry_year(entry) == citation.year and re.search(rf"\b{re.escape(citation.name)}\b", entry) is not None
