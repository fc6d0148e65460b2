"""Streaming PII redaction: the Faust app, the record envelope, the policy and the CLI.

``streams.core`` is the pure core (no Kafka): :class:`streams.core.Redactor` turns raw messages
into outcomes. ``streams.app`` wires it to Kafka topics with Faust.
"""

import recognizers  # noqa: F401 - sets the offline/threads environment before models load
