"""ADDRESS (Russian): a postal address down to the house: ``г. Москва, ул. Тверская, д. 7,
кв. 15``, ``123456, Московская обл., г. Химки, пр-т Мира, 5к2``.

A regex grammar, not a model: natasha's ``AddrExtractor`` is accurate but parses about five
strings a second, too slow for a stream. The core of a match is a street and a house number:

- a street-type word (``ул.``, ``улица``, ``пр-т``, ``просп.``, ``пр.``, ``пер.``, ``б-р``,
  ``ш.``, ``наб.``, ``пл.``, ``пр-д``, ``проезд``, ``мкр``, ``аллея``, ``тупик``, ``линия``, …)
  before or after a street name of up to four words (``ул. 1-я Тверская-Ямская``, ``Ленинский
  пр-т``, ``ул. 8 Марта``, ``ул. им. Ленина``, ``7-я линия``; the bare abbreviations ``ул``,
  ``пр``, ``пер`` only right before a name);
- then a house number, with or without ``д.``/``дом`` (``д. 7``, ``7а``, ``7/2``, ``7-15``),
  optionally ``корп.``/``к.``, ``стр.``/``строение``, ``кв.``/``квартира``, ``оф.``/``офис``,
  ``под.``/``этаж``.

Before the core the match takes in what precedes it in the same address, each part optional: a
six-digit postal index, a region (``Московская обл.``, ``Краснодарский край``, ``Респ.
Татарстан``), a district (``Одинцовский р-н``), a settlement (``г. Москва``, ``город Химки``,
``пос.``, ``пгт``, ``с.``, ``дер.``). A city alone, or a street without a house number, is not
an address. The patterns run only on strings that hold a street-type word
(:meth:`RuAddressRecognizer.prefilter`).

An organisation's address is not personal data: a match right after an organisation or shop
word (ООО, АО, ИП, магазин, офис продаж, юридический адрес, пункт выдачи, …) is left alone
unless a delivery or residence word (доставка, проживает, прописка, мой адрес, …) stands
nearer.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from recognizers.prefilter import Prefiltered
from recognizers.syntax import hinted

_S = r"[ \u00a0]{0,2}"
_SEP = r"(?:,[ \u00a0]{0,2}|[ \u00a0]{1,2})"
_CAP = r"[А-ЯЁ][а-яё]{1,24}"
_WORD = r"[А-ЯЁа-яё][а-яё]{0,24}\.?"

_INDEX = r"(?<![0-9])[1-6][0-9]{5}(?![0-9])"
_REGION = (
    r"(?:" + _CAP + r"(?:-" + _CAP + r")?" + _S
    + r"(?:обл\.|область|край|р-н|район|АО|автономный[ \u00a0]округ)"
    + r"|(?:респ\.|Респ\.|Республика|республика)" + _S + _CAP + r"(?:[ \u00a0]" + _CAP + r")?"
    + r"|" + _CAP + _S + r"(?:обл\.|область|край|р-н|район))"
)  # fmt: skip
_SETTLEMENT = (
    r"(?:г\.|г(?=[ \u00a0][А-ЯЁ])|гор\.|город|пос\.|посёлок|поселок|пгт\.?|с\.|село|дер\.|деревня"
    r"|ст-ца|станица)"
    + _S
    + _CAP
    + r"(?:[\- ]" + _CAP + r")?"
)  # fmt: skip
_STREET_TYPE = (
    r"(?:ул\.|улица|пр-т|пр-кт|просп\.|проспект|пр\.|пер\.|переулок|б-р|бульвар|ш\.|шоссе"
    r"|наб\.|набережная|пл\.|площадь|пр-д|проезд|мкр\.?|мкрн\.?|микрорайон|аллея|тупик"
    r"|линия|туп\.|ал\.|(?:ул|пр|пер|просп|наб|пл|ш|б-р)(?=[ \u00a0][А-ЯЁ0-9]))"
)  # the bare abbreviations only before a name, as in ``ул Тверская``
_ORDINAL = r"(?:[0-9]{1,2}-?(?:я|й|ая|ый|ой|ий)[ \u00a0])"
_NAME = (
    r"(?:(?:(?:им\.|имени)[ \u00a0]?)?"
    + _ORDINAL + r"?(?:[0-9]{1,2}[ \u00a0])?(?:[А-ЯЁ][А-ЯЁа-яё\-]{1,30}\.?|реки|канала)"
    + r"(?:[ \u00a0](?:[А-ЯЁ][А-ЯЁа-яё\-]{1,30}|им\.|имени|реки|канала|острова"
    + r"|[0-9]{1,3}-?(?:я|й|го)))"
    + r"{0,3})"
)  # fmt: skip
_HOUSE = (
    r"(?:(?:д\.|дом|д)" + _S + r")?[0-9]{1,4}"
    + r"(?:(?:к|корп\.?|с|стр\.?)[0-9]{1,3}(?![0-9])|[А-Яа-я](?![а-яё]))?"
    + r"(?:/[0-9]{1,4})?(?:-[0-9]{1,4}(?![0-9]))?"
)  # fmt: skip
_TAIL_PART = (
    r"(?:корп\.|корпус|к\.|к|стр\.|строение|кв\.|квартира|кв|оф\.|офис|пом\.|помещение"
    r"|под\.|подъезд|эт\.|этаж)" + _S + r"[0-9]{1,4}[А-Яа-я]?(?![а-яё])"
)
_STREET = (
    r"(?:" + _STREET_TYPE + _S + _NAME + r"|" + _NAME + _S + _STREET_TYPE
    + r"|[0-9]{1,3}-?(?:я|й|ая|ый|ой|ий)" + _S + r"(?:линия|просека|улица|проезд|переулок))"
)  # fmt: skip
_ADDRESS = (
    r"(?:" + _INDEX + _SEP + r")?"
    + r"(?:" + _REGION + _SEP + r"){0,2}"
    + r"(?:" + _SETTLEMENT + _SEP + r")?"
    + r"(?:" + _REGION + _SEP + r")?"
    + r"(?<![А-ЯЁа-яё])" + _STREET + r",?" + _S + _HOUSE
    + r"(?:" + _SEP + _TAIL_PART + r"){0,4}"
    + r"(?![0-9])"
)  # fmt: skip

#: Words before an address that make it an organisation's (lower case).
_ORGANISATION: Final = re.compile(
    r"(?<![а-яёa-z])(?:ооо|оао|зао|пао|ао|ип|нко|ано|фгуп|гуп|муп|магазин\w*|офис\w*|"
    r"юридическ\w*|юр\.|фактическ\w*|пункт\w*\s+выдачи|пвз|склад\w*|шоурум\w*|салон\w*|"
    r"ресторан\w*|кафе|филиал\w*|представительств\w*|компани\w*|организаци\w*|"
    r"ждём вас|ждем вас|приходите|наш адрес|адрес магазина|адрес офиса|ltd|llc|inc|gmbh)"
    r"(?![а-яёa-z])"
)
#: Words that make it a person's again, when nearer than the organisation word.
_PERSONAL: Final = re.compile(
    r"(?<![а-яё])(?:доставк\w*|достав\w*|проживает|проживаю|прожива\w*|прописк\w*|"
    r"зарегистрирован\w*|регистраци\w*|мой адрес|адрес доставки|получател\w*|живу|живёт|живет)"
    r"(?![а-яё])"
)


class RuAddressRecognizer(Prefiltered):
    """A Russian address with a street and a house number, not an organisation's."""

    ENTITY: ClassVar[str] = "ADDRESS"
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]] = (("address", _ADDRESS, 0.85),)
    CONTEXT: ClassVar[tuple[str, ...]] = ("адрес", "доставк", "проживает", "прописк")
    LANGUAGE: ClassVar[str] = "ru"
    #: Every match holds a street-type word.
    KEYWORDS: ClassVar[str | None] = hinted(_STREET_TYPE)

    def score_match(self, text: str, start: int, end: int, base_score: float) -> float | None:
        before = text[max(0, start - 60) : start].lower()
        organisation = None
        for organisation in _ORGANISATION.finditer(before):  # noqa: B007 - the nearest
            pass
        if organisation is None:
            return base_score
        if _PERSONAL.search(before, organisation.end()):
            return base_score
        return None
