"""Creating the pipeline's topics (`piiredact topics`, the demo, the tests, the Helm job).

Record topics (raw, clean, quarantine, dead-letter, audit) use ``cleanup.policy=delete`` with
an optional retention; the consent registry and the tables' changelogs are compacted, so the
latest entry per subject is kept for ever (and an erased subject's key disappears); the consent
changelog rolls hourly, so the fences the workers write to it are compacted away.
Creating is idempotent: topics that exist are left as they are. The admin client uses the
worker's Kafka TLS/SASL settings (:mod:`streams.kafka_security`).
"""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.errors import BrokerError
from streams.kafka_security import kafka_security
from streams.settings import Settings

#: How often the consent changelog rolls a segment (compaction only cleans rolled ones).
CONSENT_SEGMENT_MS = 3_600_000


def topic_specs(settings: Settings, retention_ms: int | None = None) -> dict[str, dict[str, str]]:
    """Every topic the pipeline uses, with its configuration."""
    delete = {"cleanup.policy": "delete"}
    if retention_ms is not None:
        delete["retention.ms"] = str(retention_ms)
    compact = {"cleanup.policy": "compact"}
    specs = {name: dict(delete) for name in (settings.topic_raw, *settings.output_topics)}
    specs[settings.topic_consent] = dict(compact)
    for name in settings.changelog_topics:
        specs[name] = dict(compact)
    # Each batch writes a fence to every partition of the consent changelog
    # (streams/worker/follower.py); rolled hourly, the segments are compacted to the latest
    # fence per partition, so a starting worker does not read a week of them.
    specs[settings.changelog_topics[0]]["segment.ms"] = str(CONSENT_SEGMENT_MS)
    return specs


async def ensure_topics(
    settings: Settings,
    replication: int = 1,
    *,
    partitions: int | None = None,
    retention_ms: int | None = None,
) -> list[str]:
    """Create the topics that do not exist yet. Returns the names created."""
    specs = topic_specs(settings, retention_ms)
    count = partitions if partitions is not None else settings.topic_partitions
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap_servers, **kafka_security(settings).aiokafka_kwargs()
    )
    try:
        await admin.start()
    except Exception as exc:
        raise BrokerError(
            f"cannot reach the broker at {settings.bootstrap_servers} ({type(exc).__name__})"
        ) from None
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in specs if n not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(n, count, replication, topic_configs=specs[n]) for n in missing]
        )
        for topic, code, *_rest in getattr(response, "topic_errors", []):
            if code not in (0, TopicAlreadyExistsError.errno):
                raise BrokerError(f"creating topic {topic} failed with error code {code}")
        return missing
    finally:
        await admin.close()
