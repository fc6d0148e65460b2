"""Deprecated: the Scrapy item pipeline moved to :mod:`streams.client.scrapy`.

``ITEM_PIPELINES = {"streams.scrapy_pipeline.PiiRedactPipeline": 300}`` keeps working (with a
warning); use ``"streams.client.scrapy.PiiRedactPipeline"``.
"""

from __future__ import annotations

import warnings

from streams.client.scrapy import PiiRedactPipeline, PiiSafeLogFormatter, load_callable

__all__ = ["PiiRedactPipeline", "PiiSafeLogFormatter", "load_callable"]

warnings.warn(
    "streams.scrapy_pipeline is deprecated: use streams.client.scrapy.PiiRedactPipeline",
    DeprecationWarning,
    stacklevel=2,
)
