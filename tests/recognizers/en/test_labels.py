"""PERSON in English text: field labels, abbreviations and other words that stand where a name
would (issue 18), next to real names in the same positions, which must still be found.

Names are synthetic: common first names and surnames in made-up records.
"""

from __future__ import annotations

import pytest

from recognizers.en.names import is_label
from recognizers.en.person import EnPersonRecognizer


@pytest.fixture(scope="module")
def recognizer() -> EnPersonRecognizer:
    return EnPersonRecognizer()


def names(recognizer: EnPersonRecognizer, text: str) -> list[str]:
    [spans] = recognizer.analyze_batch([text])
    return [text[start:end] for start, end, _ in spans]


NOT_NAMES = [
    ("DOB: 1962-05-05", "a label in capitals before a date"),
    ("Name: DOB", "a label word after a name cue"),
    ("SSN: 123-45-6789", "an identifier's label"),
    ("ID: 448812", "a two-letter label"),
    ("VIN: 1HGCM82633A004352", "a vehicle number's label"),
    ("PIN: 1234", "a label that is also a surname"),
    ("REF: 88-1200", "a label outside the quoted examples"),
    ("Fax.: 555 1234", "a label with a dot before the colon"),
    ("Tel.: 555 1234", "Tel.:"),
    ("Phone: 555-1234", "a label word"),
    ("Email: ann@example.com", "Email:"),
    ("Address: 12 Main St", "Address:"),
    ("Order 12, Status: shipped, Notes: none", "labels after commas"),
    ("See the FAQ for details.", "an abbreviation in a sentence"),
    ("Our CEO said hi", "a job title abbreviation"),
    ("HR will contact you.", "a department abbreviation"),
    ("Dept: HR", "an abbreviation after a label"),
    ("Please reply ASAP, the ETA is Friday.", "abbreviations of four and three letters"),
    ("N/A", "not applicable"),
    ("Name: N/A", "not applicable after a name cue"),
    ("Contact: HR", "an abbreviation after a contact cue"),
    ("We'll meet Monday at the office", "a weekday that is also a surname"),
    ("The Princess Royal arrived at noon", "a rank without a name"),
    ("Ciset lives on Rua Mina 50", "a street after a street word"),
    ("Send it to ul. Cicha 86", "a street after an abbreviated street word"),
    ("Suite 638 Hania Bazid", "words after a unit number"),
]


@pytest.mark.parametrize(("text", "reason"), NOT_NAMES, ids=[c[-1] for c in NOT_NAMES])
def test_labels_and_abbreviations_are_not_names(
    recognizer: EnPersonRecognizer, text: str, reason: str
) -> None:
    assert names(recognizer, text) == []


NAMES = [
    ("Name: John Smith", ["John Smith"], "a name after a label"),
    ("JOHN SMITH", ["JOHN SMITH"], "a name in capitals"),
    ("Dear Ann,", ["Ann"], "the greeting is not part of the name"),
    ("Li Na", ["Li Na"], "a short name"),
    ("Bo Ek", ["Bo Ek"], "a short name of two-letter words"),
    ("BO EK", ["BO EK"], "a short name in capitals"),
    ("Contact: Maria Lopez", ["Maria Lopez"], "a name after a contact label"),
    ("ID: Maria Lopez", ["Maria Lopez"], "a name after an identifier label"),
    ("CEO: Lena Marsh", ["Lena Marsh"], "a name after a job title"),
    (
        "Name: John Smith\nDOB: 1962-05-05\nSSN: 123-45-6789",
        ["John Smith"],
        "the next line's label is not part of the name",
    ),
    ("Patient: Li Na\nDOB: 1970-01-01", ["Li Na"], "a short name before a label line"),
    ("John Smith, DOB: 1962-05-05, Phone: 555-1234", ["John Smith"], "labels after commas"),
    ("Hello, this is Dr. Kyle Kuefer.", ["Kyle Kuefer"], "the title is not a name"),
    ("Halldór: What a wife.", ["Halldór"], "a speaker before a colon is not a label"),
    ("Agreed, Kullervo. Pin this.", ["Kullervo"], "a reply addressing someone by name"),
    ("Agreed, Caroline.", ["Caroline"], "a first name that is also an English word"),
    ("Bill to: ŻOK", ["ŻOK"], "a short surname in capitals, not ASCII: no abbreviation"),
    ("Mr. Dalton will call back Monday", ["Dalton"], "a surname, then a weekday"),
    (
        "Thanks to Sherry, Donald and Shane",
        ["Sherry, Donald", "Shane"],
        "first names in a list, no firm",
    ),
    ("Alonso 222", ["Alonso"], "a surname before a number is a person's"),
    # Fail closed: a number after a name is an age or a score, not a house number.
    ("John Smith 12 years old", ["John Smith"], "an age after a name"),
    ("Kevin Durant 35 points", ["Kevin Durant"], "a score after a name"),
    ("Mike Jones 32 from Texas", ["Mike Jones"], "an age in a profile line"),
]


@pytest.mark.parametrize(("text", "expected", "reason"), NAMES, ids=[c[-1] for c in NAMES])
def test_names_in_label_positions(
    recognizer: EnPersonRecognizer, text: str, expected: list[str], reason: str
) -> None:
    assert names(recognizer, text) == expected


LABEL_CASES = [
    ("DOB: 1962", 0, 3, True, "opens the text"),
    ("x\nTel.: 5", 2, 5, True, "opens a line, a dot before the colon"),
    ("a, Phone: 5", 3, 8, True, "opens a field after a comma"),
    ("see DOB: 1962", 4, 7, False, "inside a sentence"),
    ("http://x", 0, 4, False, "a URL scheme"),
    ("DOB 1962", 0, 3, False, "no colon"),
]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected", "reason"), LABEL_CASES, ids=[c[-1] for c in LABEL_CASES]
)
def test_is_label(text: str, start: int, end: int, expected: bool, reason: str) -> None:
    assert is_label(text, start, end) is expected


FIRMS = [
    ("The Davis, Reynolds and Williamson Orchestra was founded in 1990.", [], "an orchestra"),
    ("Hawkins, Richardson & Santana Foundation gave a grant", [], "a foundation, with &"),
    ("She joined Fox, Baker and Hale Associates last year.", [], "associates"),
    (
        "I invited Davis, Reynolds and Williamson to dinner.",
        ["Davis", "Reynolds", "Williamson"],
        "a list of guests: people",
    ),
    ("Contact John Smith, Acme Inc for details", ["John Smith"], "a name before a company"),
    ("Ann Lee and Tom Hale Partners", ["Ann Lee"], "two-word items are not a surname list"),
]


@pytest.mark.parametrize(("text", "expected", "why"), FIRMS, ids=[c[2] for c in FIRMS])
def test_surnames_that_name_a_firm(
    recognizer: EnPersonRecognizer, text: str, expected: list[str], why: str
) -> None:
    assert names(recognizer, text) == expected, why
