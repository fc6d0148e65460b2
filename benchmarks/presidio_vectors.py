"""Presidio's own recognizer unit-test vectors, as an independent table of identifier cases.

Transcribed from microsoft/presidio (MIT licence), ``presidio-analyzer/tests/``:

- ``test_credit_card_recognizer.py`` at commit f6a249d949051be8da5e48d12468507788135d99 (its
  numbers are the issuers' published test numbers, not anyone's card);
- ``test_ip_recognizer.py`` at commit 00acdb430c53830e84f609ce109aeb1cfa7e5ada;
- ``test_email_recognizer.py`` at commit 70f52e4bd54e07dacbfb761fd156a1e9171400a0;
- ``test_phone_recognizer.py`` at commit 01b4ed1c88aad0c1145f452515ab4fe94e966bed.

Each case is a text, its entity type and the spans Presidio's tests expect (an empty tuple: the
text holds none). Cases Presidio's tests expect at a score of 0.05-0.15 (``::`` alone, ``::/0``)
are left out: below any threshold they are neither found nor missed. Where a test expects one
finding without a position, the span is the whole text.

``python -m benchmarks.presidio_vectors`` scores this project's detector and plain Presidio's
recognizers on the table: recall, precision and exact-span matches per entity type.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import Final

Span = tuple[int, int]
Case = tuple[str, str, tuple[Span, ...]]

CARD = "CREDIT_CARD"
IP = "IP_ADDRESS"
EMAIL = "EMAIL_ADDRESS"
PHONE = "PHONE_NUMBER"


def _whole(text: str, entity: str) -> Case:
    return (text, entity, ((0, len(text)),))


CASES: Final[tuple[Case, ...]] = (
    # --- test_credit_card_recognizer.py
    (
        "4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881",
        CARD,
        ((0, 16), (17, 36), (37, 56)),
    ),
    _whole("122000000000003", CARD),
    ("my credit card: 122000000000003", CARD, ((16, 31),)),
    _whole("371449635398431", CARD),
    _whole("5555555555554444", CARD),
    _whole("5019717010103742", CARD),
    _whole("30569309025904", CARD),
    _whole("6011000400000000", CARD),
    _whole("3528000700000000", CARD),
    _whole("6759649826438453", CARD),
    _whole("4111111111111111", CARD),
    _whole("4917300800000000", CARD),
    _whole("4484070000000000", CARD),
    ("4012-8888-8888-1882", CARD, ()),
    ("my credit card number is 4012-8888-8888-1882", CARD, ()),
    ("36168002586008", CARD, ()),
    ("my credit card number is 36168002586008", CARD, ()),
    # --- test_ip_recognizer.py
    ("microsoft.com 192.168.0.1", IP, ((14, 25),)),
    ("my ip: 192.168.0", IP, ()),
    ("microsoft.com 684D:1111:222:3333:4444:5555:6:77", IP, ((14, 47),)),
    ("my ip: 684D:1111:222:3333:4444:5555:6:77", IP, ((7, 40),)),
    ("684D:1111:222:3333:4444:5555:77", IP, ()),
    _whole("2345:0425:2CA1:0000:0000:0567:5673:23b5", IP),
    _whole("2345:0425:2CA1::0567:5673:23b5", IP),
    _whole("2400:c401::5054:ff:fe1b:b031", IP),
    ("my ip: ::1", IP, ((7, 10),)),
    ("connecting from ::1", IP, ((16, 19),)),
    _whole("fe80::1", IP),
    _whole("2001:db8::8a2e:370:7334", IP),
    _whole("2001:db8:85a3::8a2e:370", IP),
    _whole("2001:db8::1", IP),
    _whole("fe80::1%eth0", IP),
    ("Server IP: 2001:db8::1", IP, ((11, 22),)),
    ("Connect to [2001:db8::1]:8080", IP, ((12, 23),)),
    ("my ip is 2400:c401::5054:ff:fe1b:b031", IP, ((9, 37),)),
    ("Gateway: fe80::1 on interface", IP, ((9, 16),)),
    ("Visit http://[2001:db8::1]/path", IP, ((14, 25),)),
    ("SSH to user@2001:db8::1", IP, ((12, 23),)),
    _whole("::ffff:192.0.2.1", IP),
    _whole("::ffff:10.0.0.1", IP),
    _whole("::ffff:172.16.0.1", IP),
    _whole("::ffff:127.0.0.1", IP),
    _whole("::ffff:255.255.255.255", IP),
    _whole("::ffff:0.0.0.0", IP),
    _whole("::ffff:0:192.168.1.1", IP),
    _whole("::ffff:0000:10.0.0.1", IP),
    ("Mapped: ::ffff:192.168.1.1", IP, ((8, 26),)),
    ("Connect to ::ffff:10.0.0.1 now", IP, ((11, 26),)),
    ("[::ffff:192.168.1.1]:80", IP, ((1, 19),)),
    _whole("::192.168.1.1", IP),
    _whole("::10.0.0.1", IP),
    ("::ffff:256.0.0.1", IP, ()),
    ("::ffff:192.168.1", IP, ()),
    _whole("2001:db8::192.168.1.1", IP),
    _whole("2001:db8:1::192.0.2.1", IP),
    _whole("64:ff9b::192.0.2.1", IP),
    _whole("2001:db8:85a3::8a2e:192.168.0.1", IP),
    _whole("0:0:0:0:0:FFFF:129.144.52.38", IP),
    _whole("2001:db8:0:0:0:0:192.168.1.1", IP),
    ("NAT64: 64:ff9b::198.51.100.1", IP, ((7, 28),)),
    ("Tunnel to 2001:db8::10.0.0.1", IP, ((10, 28),)),
    ("2001:db8::256.1.1.1", IP, ()),
    ("IPv4: 192.168.1.1, IPv6: 2001:db8::1", IP, ((6, 17), (25, 36))),
    ("Primary: 10.0.0.1, Secondary: 172.16.0.1", IP, ((9, 17), (30, 40))),
    ("IPs: 192.168.1.1, 10.0.0.1, 2001:db8::1", IP, ((5, 16), (18, 26), (28, 39))),
    ("MAC address aa:bb:cc:dd:ee:ff", IP, ()),
    ("Time 12:34:56", IP, ()),
    ("Ratio 1:2:3:4", IP, ()),
    ("CSS color #ff00aa", IP, ()),
    ("Version 1.2.3", IP, ()),
    ("Port 80:443", IP, ()),
    ("abc:def:ghi", IP, ()),
    ("123:abc", IP, ()),
    ("file:///path/to/file", IP, ()),
    ("std::cout", IP, ()),
    ("MyClass::toString", IP, ()),
    (":::", IP, ()),
    ("IP192.168.1.1text", IP, ()),
    ("text192.168.1.1", IP, ()),
    ("(192.168.1.1)", IP, ((1, 12),)),
    ("'2001:db8::1'", IP, ((1, 12),)),
    ("IP: 192.168.1.1.", IP, ((4, 15),)),
    ("192.168.1.1,", IP, ((0, 11),)),
    ("[2001:db8::1]", IP, ((1, 12),)),
    ("Server IP: 2400:c401::5054:ff:fe1b:b031.", IP, ((11, 39),)),
    ("2001:db8::1.", IP, ((0, 11),)),
    ("fe80::1text", IP, ()),
    ("text2001:db8::1", IP, ()),
    ("192.168.1.1.1", IP, ((0, 11),)),
    ("256.256.256.256", IP, ()),
    ("192.168.1.256", IP, ()),
    ("gggg:hhhh::1234", IP, ()),
    ("192.168.1", IP, ()),
    ("300.168.1.1", IP, ()),
    ("12345:db8::1", IP, ()),
    ("2001::db8::1", IP, ()),
    ("192.168.2.1@eth0", IP, ((0, 11),)),
    ("text::ffff:192.0.2.1", IP, ((11, 20),)),
    ("foo2001:db8::10.0.0.1", IP, ((13, 21),)),
    ("localhost 127.0.0.1", IP, ((10, 19),)),
    ("Broadcast 255.255.255.255", IP, ((10, 25),)),
    ("Private 10.0.0.0", IP, ((8, 16),)),
    ("Link-local 169.254.1.1", IP, ((11, 22),)),
    ("Subnet 172.16.0.0", IP, ((7, 17),)),
    ("Default 0.0.0.0", IP, ((8, 15),)),
    ("Loopback ::1", IP, ((9, 12),)),
    ("Multicast ff02::1", IP, ((10, 17),)),
    _whole("192.168.1.0/24", IP),
    _whole("10.0.0.0/8", IP),
    _whole("0.0.0.0/0", IP),
    _whole("192.168.1.1/32", IP),
    _whole("2001:db8::/32", IP),
    _whole("fe80::/10", IP),
    _whole("::1/128", IP),
    _whole("fe80::1%eth0/64", IP),
    _whole("2001:db8::%eth0/128", IP),
    _whole("::ffff:192.168.1.0/96", IP),
    _whole("64:ff9b::192.0.2.0/96", IP),
    ("Subnet: 192.168.1.0/24", IP, ((8, 22),)),
    ("Prefix: 2001:db8::/32", IP, ((8, 21),)),
    ("Route is 10.0.0.0/8.", IP, ((9, 19),)),
    ("Use 2001:db8::/32.", IP, ((4, 17),)),
    ("10.0.0.0/123", IP, ((0, 8),)),
    ("2001:db8::/9999", IP, ((0, 10),)),
    # --- test_email_recognizer.py
    _whole("info@presidio.site", EMAIL),
    ("my email address is info@presidio.site", EMAIL, ((20, 38),)),
    (
        "try one of these emails: info@presidio.site or anotherinfo@presidio.site",
        EMAIL,
        ((25, 43), (47, 72)),
    ),
    ("my email is info@presidio.", EMAIL, ()),
    # --- test_phone_recognizer.py
    (
        "My US number is (415) 555-0132, and my international one is +1 415 555 0132",
        PHONE,
        ((16, 30), (60, 75)),
    ),
    ("My Israeli number is 09-7625400", PHONE, ((21, 31),)),
)

#: Found spans of one entity type per case.
Analyzer = Callable[[Sequence[str], str], list[list[Span]]]


def score(analyze: Analyzer) -> dict[str, dict[str, float | int]]:
    """Per entity type: expected spans, found ones, overlaps (a found span overlapping an
    expected one), exact matches, recall, precision and cases with nothing wrong."""
    out: dict[str, dict[str, float | int]] = {}
    for entity in sorted({case[1] for case in CASES}):
        cases = [case for case in CASES if case[1] == entity]
        found = analyze([text for text, _e, _s in cases], entity)
        expected_n = found_n = hit = exact = right = 0
        for (_text, _entity, expected), spans in zip(cases, found, strict=True):
            expected_n += len(expected)
            found_n += len(spans)
            hits = [e for e in expected if any(s < e[1] and e[0] < t for s, t in spans)]
            hit += len(hits)
            exact += sum(1 for e in expected if e in spans)
            false = [s for s in spans if not any(s[0] < e[1] and e[0] < s[1] for e in expected)]
            right += int(len(hits) == len(expected) and not false)
        out[entity] = {
            "cases": len(cases),
            "expected": expected_n,
            "found": found_n,
            "recall": round(hit / expected_n, 3) if expected_n else 1.0,
            "precision": round(_overlapping(cases, found) / found_n, 3) if found_n else 1.0,
            "exact_spans": exact,
            "cases_right": right,
        }
    return out


def _overlapping(cases: Sequence[Case], found: Sequence[Sequence[Span]]) -> int:
    return sum(
        1
        for (_t, _e, expected), spans in zip(cases, found, strict=True)
        for s in spans
        if any(s[0] < e[1] and e[0] < s[1] for e in expected)
    )


def piiredact_analyzer(min_score: float = 0.4) -> Analyzer:
    """This project's detector, identifiers only, overlaps merged as the pipeline does."""
    from recognizers.findings import resolve_overlaps  # noqa: PLC0415
    from recognizers.registry import build_detector  # noqa: PLC0415

    detector = build_detector(names=False)

    def analyze(texts: Sequence[str], entity: str) -> list[list[Span]]:
        return [
            [
                (f.start, f.end)
                for f in resolve_overlaps(f for f in findings if f.score >= min_score)
                if f.entity_type == entity
            ]
            for findings in detector.analyze(list(texts))
        ]

    return analyze


def presidio_analyzer(min_score: float = 0.4) -> Analyzer:
    """Plain Presidio's predefined recognizers (no NLP engine), as ``benchmarks.accuracy``'s
    regex engine runs them."""
    from presidio_analyzer.predefined_recognizers import (  # noqa: PLC0415
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    recognizers = {
        CARD: CreditCardRecognizer(),
        IP: IpRecognizer(),
        EMAIL: EmailRecognizer(),
        PHONE: PhoneRecognizer(),
    }

    def analyze(texts: Sequence[str], entity: str) -> list[list[Span]]:
        recognizer = recognizers[entity]
        entities = recognizer.get_supported_entities()
        out = []
        for text in texts:
            results = recognizer.analyze(text, entities, None)  # type: ignore[arg-type]
            out.append(sorted({(r.start, r.end) for r in results if r.score >= min_score}))
        return out

    return analyze


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engines", default="piiredact,presidio")
    parser.add_argument("--min-score", type=float, default=0.4)
    args = parser.parse_args(argv)
    builders = {"piiredact": piiredact_analyzer, "presidio": presidio_analyzer}
    report = {
        name: score(builders[name](args.min_score)) for name in args.engines.split(",") if name
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
