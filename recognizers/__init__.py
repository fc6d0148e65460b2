"""Presidio recognizers for personal data in scraped English and Russian text.

Importing this package sets the environment switches that keep detection fully offline and
fast before any numeric library loads:

- ``OPENBLAS_NUM_THREADS=1``: natasha's NER is about five times slower with threaded BLAS on
  small inputs.
- ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""``: stops ``tldextract`` (pulled in by Presidio) from
  fetching the public-suffix list over the network.

Public surface: :class:`recognizers.engine.Detector`, :func:`recognizers.registry.build_detector`
and :data:`recognizers.registry.ENTITY_TYPES`.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
