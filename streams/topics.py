"""Creating the pipeline's topics (the demo and tests; the Helm chart has its own job)."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.errors import BrokerError
from streams.settings import Settings


async def ensure_topics(settings: Settings, replication: int = 1) -> list[str]:
    """Create the raw, clean, quarantine and dead-letter topics that do not exist yet.

    Returns the names created.
    """
    names = [settings.topic_raw, *settings.output_topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(n, settings.topic_partitions, replication) for n in missing]
        )
        for topic, code, _message in getattr(response, "topic_errors", []):
            if code not in (0, TopicAlreadyExistsError.errno):
                raise BrokerError(f"creating topic {topic} failed with error code {code}")
        return missing
    finally:
        await admin.close()
