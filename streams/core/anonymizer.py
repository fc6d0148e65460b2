"""presidio-anonymizer's operator interface and the operators the core uses, imported light.

``import presidio_anonymizer`` (any part of it: the package's ``__init__`` loads the engine
and every operator) imports its optional Azure operator, which tries
``presidio_analyzer.llm_utils.azure_auth_helper``; importing that loads all of
presidio-analyzer and spaCy (1.5 s, ~100 MB) into a process that needs neither: the core must
stay free of them (``tests/streams/test_layout.py``). The Azure helper is optional upstream
(``except ImportError: get_azure_credential = None``), so while presidio-anonymizer loads, that
one module is marked as absent; afterwards the mark is removed again, so a process that does
use presidio-analyzer (the detection process) imports it as usual. Where presidio-analyzer is
already loaded nothing is marked.
"""

from __future__ import annotations

import sys

_AZURE_HELPER = "presidio_analyzer.llm_utils.azure_auth_helper"

_block = "presidio_analyzer" not in sys.modules and _AZURE_HELPER not in sys.modules
if _block:
    sys.modules[_AZURE_HELPER] = None  # type: ignore[assignment]  # "absent": ImportError
try:
    from presidio_anonymizer.entities import InvalidParamError
    from presidio_anonymizer.operators import (
        Decrypt,
        Encrypt,
        Keep,
        Operator,
        OperatorType,
        Replace,
    )
finally:
    if _block and sys.modules.get(_AZURE_HELPER, 0) is None:
        del sys.modules[_AZURE_HELPER]

__all__ = ["Decrypt", "Encrypt", "InvalidParamError", "Keep", "Operator", "OperatorType", "Replace"]
