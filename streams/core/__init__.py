"""The pure redaction core: raw message bytes in, one outcome per message out.

No Kafka, no Faust, no Presidio, no spaCy: everything here is plain Python on plain data, and
most tests hit this package. ``import-linter`` (``scripts/check``) keeps it so: this package may
import only itself, :mod:`streams.errors`, :mod:`recognizers.findings` and
:mod:`recognizers.entities`.

Read in this order:

- :mod:`~streams.core.envelope`: the one parser of a raw message into a :class:`Record`, and its
  scanned strings (slots);
- :mod:`~streams.core.consent`: consent statements, reduced to one state per record;
  :mod:`~streams.core.consent_events`: the registry's events;
- :mod:`~streams.core.policy`: what to do with each entity type under each consent state (a YAML
  file; :mod:`~streams.core.policies` holds the built-in one);
- :mod:`~streams.core.outcome`: verdicts, reasons and outcomes;
- :mod:`~streams.core.decide`: the policy applied to one record's findings;
- :mod:`~streams.core.actions`, :mod:`~streams.core.pseudonym`, :mod:`~streams.core.keys`: how a
  value is masked, redacted or pseudonymised, and the keys behind pseudonyms;
- :mod:`~streams.core.redactor`: :class:`Redactor`, the entry point, batches in, outcomes out.
"""

from streams.core.decide import RecordContext, decide
from streams.core.outcome import (
    PIPELINE_VERSION,
    FindingReport,
    Outcome,
    Reason,
    Verdict,
    dead_letter,
    output_too_large,
    quarantine,
    worker_error,
)
from streams.core.redactor import Detector, Prepared, Redactor, merge

__all__ = [
    "PIPELINE_VERSION",
    "Detector",
    "FindingReport",
    "Outcome",
    "Prepared",
    "Reason",
    "RecordContext",
    "Redactor",
    "Verdict",
    "dead_letter",
    "decide",
    "merge",
    "output_too_large",
    "quarantine",
    "worker_error",
]
