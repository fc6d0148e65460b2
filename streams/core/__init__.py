"""The pure redaction core: raw message bytes in, one outcome per message out.

No Kafka, no Faust, no presidio-analyzer, no spaCy: everything here is plain Python on plain
data, and most tests hit this package. ``import-linter`` (``scripts/check``) keeps it so: this
package may import only itself, :mod:`streams.errors`, :mod:`recognizers.findings`,
:mod:`recognizers.entities` and presidio-anonymizer (its operators are the actions; see
:mod:`~streams.core.anonymizer` for how it is imported without presidio-analyzer).

Read in this order:

- :mod:`~streams.core.envelope`: the one parser of a raw message into a :class:`Record`, and its
  scanned strings (slots);
- :mod:`~streams.core.consent`: consent statements, reduced to one state per record;
  :mod:`~streams.core.consent_events`: the registry's events;
- :mod:`~streams.core.policy`: what to do with each entity type under each consent state (a YAML
  file; :mod:`~streams.core.policies` holds the built-in one);
- :mod:`~streams.core.outcome`: verdicts, reasons and outcomes;
- :mod:`~streams.core.decide`: the policy applied to one record's findings;
- :mod:`~streams.core.actions`, :mod:`~streams.core.pseudonym`, :mod:`~streams.core.keys`,
  :mod:`~streams.core.reveal`: how a value is masked, redacted, pseudonymised or encrypted (the
  actions are presidio-anonymizer operators), the keys behind pseudonyms, and the reveal
  cipher behind encrypted values;
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
