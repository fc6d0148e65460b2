"""The streaming worker: the only package that imports Faust (and, with the clients, aiokafka).

- :mod:`~streams.worker.app`: the Faust app, its agents and the :class:`~streams.worker.app.Worker`
  with a bounded shutdown;
- :mod:`~streams.worker.batch`: one batch from raw messages to output messages, whatever fails;
- :mod:`~streams.worker.detection`: the detection child process (the models load there);
- :mod:`~streams.worker.overlap`: one batch detected while the one before is delivered;
- :mod:`~streams.worker.tables`: the consent registry and subject-key tables;
- :mod:`~streams.worker.routing`: outcomes to topics, keys, values and headers, bounded in size;
- :mod:`~streams.worker.watchdog`, :mod:`~streams.worker.web`, :mod:`~streams.worker.metrics`:
  stall detection, ``/livez`` ``/readyz`` ``/metrics``;
- :mod:`~streams.worker.topics`: creating the topics.

May import :mod:`streams.core`, the shared modules and :mod:`recognizers`; never
:mod:`streams.client`, :mod:`streams.cli` or :mod:`streams.testing`.
"""
