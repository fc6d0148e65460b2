"""Benchmarks: detection accuracy against annotated data (``python -m benchmarks.accuracy``)."""
