"""Recognizers for values whose form is the same in every language.

E-mail, phone, IP, card, MAC, IMEI, geo coordinates, IBAN, crypto wallets, advertising ids,
dates of birth (English and Russian cues), @handles and profile URLs. Language-bound ones live in
``recognizers.en`` and ``recognizers.ru``, country identifiers in ``recognizers.us`` and
``recognizers.uk``; the one list of them all is :mod:`recognizers.registry`.
"""
