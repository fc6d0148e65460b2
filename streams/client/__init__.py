"""What scrapers import: :mod:`~streams.client.producer` (building and checking record
envelopes, the async :class:`~streams.client.producer.RecordProducer` and the blocking
:class:`~streams.client.producer.SyncRecordProducer`) and :mod:`~streams.client.scrapy` (the
Scrapy item pipeline). See docs/producer.md.

May import :mod:`streams.core` (the same envelope rules as the worker) and the shared modules;
never :mod:`streams.worker` nor Faust, so a scraper does not install the worker's stack.
"""
