"""Streaming PII redaction for scraped records on Kafka. A reading guide:

- :mod:`streams.core`: the pure core (start here). Raw message bytes in, one outcome per message
  out: the envelope parser, consent, the policy, the decision, the actions. No Kafka, no Faust,
  no models.
- :mod:`streams.worker`: the Faust worker, the only package that imports Faust. Agents read the
  raw and consent topics, a child process runs detection, outcomes are routed to the clean,
  quarantine, dead-letter and audit topics; the watchdog and the HTTP endpoints keep it honest.
- :mod:`streams.client`: what scrapers import: the record producer (async and blocking) and the
  Scrapy item pipeline. Never imports the worker.
- :mod:`streams.cli`: the ``piiredact`` command, one module per subcommand.
- :mod:`streams.testing`: the embedded broker, sample records and the harness that runs a worker
  for the tests, the demo and the benchmarks. Not part of the worker image.
- Shared by all: :mod:`streams.settings` (the worker's settings and the Kafka security settings
  every client uses), :mod:`streams.kafka_security`, :mod:`streams.value_logs` (no message value
  in any log) and :mod:`streams.errors` (the one exception tree).

Detection itself is in the sibling package :mod:`recognizers`. Which package may import which
is checked by ``import-linter`` (``[tool.importlinter]`` in ``pyproject.toml``).

``streams.producer`` and ``streams.scrapy_pipeline`` are deprecated aliases of
:mod:`streams.client.producer` and :mod:`streams.client.scrapy`.
"""

import recognizers  # noqa: F401 - sets the offline/threads environment before models load
