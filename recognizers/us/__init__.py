"""Recognizers of United States identifiers."""
