"""The citation matcher and the time estimate, on their own."""

from pathlib import Path

import pytest

from lms.domain.citations import Citation, citations_in, cites, entry_year
from lms.domain.course_loader import load_catalog
from lms.domain.course_measures import (
    correct_is_longest,
    estimated_minutes,
    fewest_questions_served,
    kind_counts,
    lesson_estimated_minutes,
    longest_correct_share,
    prose_words,
    word_count,
)
from lms.domain.courses import Choice, Question

COMPLETE = load_catalog(Path(__file__).resolve().parent.parent / "fixtures" / "complete-courses").get("making-supervision-work")
ALMEIDA = (
    "Almeida, M., Day, A., Smith, B., Bianco, C., & Fortuna, K. (2020). Actionable items to address challenges."
    " Journal of Participatory Medicine, 12(4), e17053."
)
BOCHICCHIO = "Bochicchio, L., Tran Smith, B., & Stefancic, A. (2023). Leadership lessons. Journal, 59(5), 1-10."
SAMHSA = (
    "Substance Abuse and Mental Health Services Administration (SAMHSA). (2015). Core competencies for peer"
    " workers in behavioral health services. https://www.samhsa.gov/"
)


@pytest.mark.parametrize(
    "text, found",
    [
        ("Peers said so (Almeida et al. 2020).", [("Almeida", "2020")]),
        ("Peers said so (Almeida et al., 2020, Work-life balance).", [("Almeida", "2020")]),
        ("Both (Almeida et al. 2020; Scannell 2021, Supervision) agree.", [("Almeida", "2020"), ("Scannell", "2021")]),
        ("Scannell (2021) found that supervision matters.", [("Scannell", "2021")]),
        ("Shepardson et al. (2019, Facilitators) describe a lead peer.", [("Shepardson", "2019")]),
        ("Peer workers have core competencies (SAMHSA 2015) and guidelines (iNAPS 2019).", [("SAMHSA", "2015"), ("iNAPS", "2019")]),
        ("Two authors (Almeida & Fortuna 2020) and Rose and Smith (2002).", [("Almeida", "2020"), ("Rose", "2002")]),
        ("First Scannell (2021), then (Almeida et al. 2020).", [("Scannell", "2021"), ("Almeida", "2020")]),
        ("Not citations: (in 2020), (about 15 people), (2020), 988 (call or text).", []),
    ],
)
def test_citations_are_found_in_every_form(text, found):
    assert citations_in(text) == [Citation(name, year) for name, year in found]


def test_a_citation_matches_an_entry_with_its_name_and_year():
    assert cites(Citation("Almeida", "2020"), ALMEIDA)
    assert cites(Citation("SAMHSA", "2015"), SAMHSA)  # the acronym in parentheses
    assert not cites(Citation("Almeida", "2021"), ALMEIDA)  # another year
    assert not cites(Citation("Bochicchio", "2022"), BOCHICCHIO)  # online 2022, but the entry says 2023
    assert not cites(Citation("Day", "2012"), ALMEIDA)
    assert not cites(Citation("Alme", "2020"), ALMEIDA)  # a whole word, not part of one
    assert cites(Citation("Fortuna", "2020"), ALMEIDA)  # any author of the entry


def test_the_year_of_an_entry_is_its_first_year_in_parentheses():
    assert entry_year(ALMEIDA) == "2020"
    assert entry_year("988 Lifeline. (2024, May 4). Talk to someone now. https://988lifeline.org/") == "2024"
    assert entry_year("Someone. Undated page (n.d.). Issue 12(4).") is None


def test_the_estimate_reads_200_words_a_minute_and_counts_the_smallest_check():
    assert prose_words(COMPLETE) == word_count(COMPLETE.intro_prose) + sum(word_count(lesson.prose) for lesson in COMPLETE.lessons) == 2119
    # Peers are served 13 questions and supervisors all 15: the smaller check counts.
    assert [len(COMPLETE.questions_for([role])) for role in COMPLETE.audiences] == [13, 15]
    assert fewest_questions_served(COMPLETE) == 13
    assert estimated_minutes(COMPLETE) == pytest.approx(2119 / 200 + 13 + 2 * 4)
    lesson = COMPLETE.lessons[0]
    assert lesson_estimated_minutes(lesson) == pytest.approx(word_count(lesson.prose) / 200 + 2) == 487 / 200 + 2


def test_markdown_link_addresses_are_not_counted_as_words():
    assert word_count("Read [the next lesson](02-getting-ready.md) now, or [call](tel:988).") == 7


def test_the_longest_choice_must_be_longer_than_every_other_to_count():
    def question(*texts):
        return Question("q", "O1", "?", tuple(Choice(str(i), text, i == 0, "fb") for i, text in enumerate(texts)))

    assert correct_is_longest(question("a longer one", "short"))
    assert not correct_is_longest(question("same", "size"))
    assert not correct_is_longest(question("short", "a longer one"))
    assert longest_correct_share(COMPLETE) == pytest.approx(4 / 15)
    assert kind_counts(COMPLETE) == {"applied": 12, "concept": 2, "recall": 1}
